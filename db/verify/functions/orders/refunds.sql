-- Verify mercato:functions/orders/refunds on pg

BEGIN;

SELECT 'orders.refund_order(bigint, numeric, text, jsonb, text, bigint, bigint)'::regprocedure;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.refund_order(bigint, numeric, text, jsonb, text, bigint, bigint)']) AS f;

ROLLBACK;
