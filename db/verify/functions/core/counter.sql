-- Verify mercato:functions/core/counter on pg

BEGIN;

SELECT 'core.next_number(text, text)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'core.next_number(text, text)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
