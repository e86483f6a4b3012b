-- Verify mercato:functions/orders/open_lines on pg

BEGIN;

SELECT 'orders.open_lines_for(bigint, bigint[])'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'orders.open_lines_for(bigint, bigint[])', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
