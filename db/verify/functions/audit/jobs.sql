-- Verify mercato:functions/audit/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'audit.partitions_ahead' AND to_regprocedure(function_name) = 'audit.ensure_partitions(timestamptz, integer)'::regprocedure;

ROLLBACK;
