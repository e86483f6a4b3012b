-- Verify mercato:functions/delivery/notify on pg
-- Existence and privileges only: the cast raises when the function is missing; the last query divides by zero when an
-- API role or the sender may execute it.

BEGIN;

SELECT 'delivery.send_code(bigint, text)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'delivery.send_code(bigint, text)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r;

ROLLBACK;
