-- Verify mercato:functions/orders/loyalty on pg

BEGIN;

SELECT 'orders.points_account(bigint, bigint)'::regprocedure, 'orders.points_issuing_account(bigint)'::regprocedure,
       'orders.loyalty_funding_account(bigint)'::regprocedure, 'orders.loyalty_rule_at(bigint, timestamptz)'::regprocedure,
       'orders.set_loyalty_rule(numeric, numeric, timestamptz, bigint)'::regprocedure,
       'orders.loyalty_earn_trg()'::regprocedure, 'orders.pay_with_points(bigint, bigint, bigint)'::regprocedure,
       'orders.customer_balances(bigint, bigint)'::regprocedure;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t WHERE t.tgrelid = 'orders.sales_order'::regclass
             AND t.tgname = 'sales_order_loyalty_earn' AND t.tgenabled <> 'D')::int;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.points_account(bigint, bigint)',
                    'orders.points_issuing_account(bigint)',
                    'orders.loyalty_funding_account(bigint)',
                    'orders.loyalty_rule_at(bigint, timestamptz)',
                    'orders.set_loyalty_rule(numeric, numeric, timestamptz, bigint)',
                    'orders.loyalty_earn_trg()',
                    'orders.pay_with_points(bigint, bigint, bigint)',
                    'orders.customer_balances(bigint, bigint)']) AS f;

ROLLBACK;
