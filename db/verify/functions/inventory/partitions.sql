-- Verify mercato:functions/inventory/partitions on pg

BEGIN;

SELECT 'inventory.ensure_partitions(timestamptz, integer)'::regprocedure;

ROLLBACK;
