-- Verify mercato:functions/orders/money on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['orders.tenant_currency(bigint)', 'orders.revenue_account(bigint)',
                    'orders.channel_account(bigint, text)',
                    'orders.apply_payment(bigint, bigint, text, numeric, bigint, bigint, text, bigint)',
                    'orders.apply_refund(bigint, bigint, numeric, text, bigint, jsonb, text, bigint)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.tenant_currency(bigint)', 'orders.revenue_account(bigint)', 'orders.channel_account(bigint, text)',
                    'orders.apply_payment(bigint, bigint, text, numeric, bigint, bigint, text, bigint)',
                    'orders.apply_refund(bigint, bigint, numeric, text, bigint, jsonb, text, bigint)']) AS f;

ROLLBACK;
