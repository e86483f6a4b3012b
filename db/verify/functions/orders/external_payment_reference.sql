-- Verify mercato:functions/orders/external_payment_reference on pg

BEGIN;

-- the function exists (the cast), looks for the reference before apply_payment judges the order, and no API role
-- executes it
SELECT 1 / (position('v_taken' IN prosrc) > 0 AND position('FOR UPDATE' IN prosrc) > 0)::int
  FROM pg_catalog.pg_proc
 WHERE oid = 'orders.record_external_payment_for(bigint, bigint, numeric, text)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'orders.record_external_payment_for(bigint, bigint, numeric, text)',
                                                   'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
