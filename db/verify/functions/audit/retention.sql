-- Verify mercato:functions/audit/retention on pg

BEGIN;

SELECT 'audit.drop_old_partitions(integer)'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job WHERE name = 'audit.retention';
SELECT 1 / count(*)::int FROM masterdata.setting WHERE key = 'AUDIT_RETENTION_MONTHS';
SELECT 1 / (NOT has_function_privilege(r, 'audit.drop_old_partitions(integer)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
