-- Verify mercato:functions/inventory/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'inventory.partitions_ahead'
   AND to_regprocedure(function_name) = 'inventory.ensure_partitions(timestamptz, integer)'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'inventory.expire_reservations'
   AND to_regprocedure(function_name) = 'inventory.expire_reservations(integer)'::regprocedure;

ROLLBACK;
