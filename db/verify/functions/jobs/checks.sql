-- Verify mercato:functions/jobs/checks on pg
-- Existence and privileges only.

BEGIN;

SELECT 'jobs.assert_check(regprocedure, text)'::regprocedure;
SELECT 1 / (NOT has_function_privilege(r, 'jobs.assert_check(regprocedure, text)', 'EXECUTE'))::int
  FROM unnest(ARRAY['public', 'mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
