-- Verify mercato:functions/orders/store_credit on pg

BEGIN;

SELECT 'orders.customer_of_tenant(bigint, bigint)'::regprocedure, 'orders.store_credit_account(bigint, bigint)'::regprocedure,
       'orders.promotions_account(bigint)'::regprocedure, 'orders.payer_of_order(bigint, bigint)'::regprocedure,
       'orders.issue_store_credit(bigint, numeric, text, text, bigint)'::regprocedure,
       'orders.pay_with_store_credit(bigint, numeric, bigint)'::regprocedure;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.customer_of_tenant(bigint, bigint)',
                    'orders.store_credit_account(bigint, bigint)',
                    'orders.promotions_account(bigint)',
                    'orders.payer_of_order(bigint, bigint)',
                    'orders.issue_store_credit(bigint, numeric, text, text, bigint)',
                    'orders.pay_with_store_credit(bigint, numeric, bigint)']) AS f;

ROLLBACK;
