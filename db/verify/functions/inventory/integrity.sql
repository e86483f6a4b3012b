-- Verify mercato:functions/inventory/integrity on pg
-- Existence and privileges only: the check itself is a full scan and never runs here.

BEGIN;

SELECT 'inventory.assert_integrity()'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'inventory.integrity' AND to_regprocedure(function_name) = 'inventory.assert_integrity()'::regprocedure;
SELECT 1 / (NOT has_function_privilege(r, 'inventory.assert_integrity()', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
