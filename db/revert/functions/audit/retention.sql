-- Revert mercato:functions/audit/retention from pg

BEGIN;

DELETE FROM jobs.job WHERE name = 'audit.retention';   -- its run history goes with it
DROP FUNCTION audit.drop_old_partitions(integer);
DELETE FROM masterdata.setting WHERE key = 'AUDIT_RETENTION_MONTHS';

COMMIT;
