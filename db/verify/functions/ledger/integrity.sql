-- Verify mercato:functions/ledger/integrity on pg
-- Existence and privileges only: the check itself is a full scan and never runs here.

BEGIN;

SELECT 'ledger.assert_integrity()'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'ledger.integrity' AND to_regprocedure(function_name) = 'ledger.assert_integrity()'::regprocedure;
SELECT 1 / count(*)::int FROM core.error WHERE code = 'LEDGER_INTEGRITY_VIOLATION';
SELECT 1 / (NOT has_function_privilege(r, 'ledger.assert_integrity()', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
