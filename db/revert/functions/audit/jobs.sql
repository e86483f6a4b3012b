-- Revert mercato:functions/audit/jobs from pg

BEGIN;

DELETE FROM jobs.job WHERE name = 'audit.partitions_ahead';   -- its run history goes with it

COMMIT;
