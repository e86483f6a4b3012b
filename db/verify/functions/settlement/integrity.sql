-- Verify mercato:functions/settlement/integrity on pg
-- Existence and privileges only: the check itself is a full scan and never runs here.

BEGIN;

SELECT 'settlement.assert_integrity()'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'settlement.integrity' AND to_regprocedure(function_name) = 'settlement.assert_integrity()'::regprocedure;
SELECT 1 / count(*)::int FROM core.error WHERE code = 'SETTLEMENT_INTEGRITY_VIOLATION';
SELECT 1 / (NOT has_function_privilege(r, 'settlement.assert_integrity()', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
