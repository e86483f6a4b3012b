-- Revert mercato:functions/inventory/jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name IN ('inventory.partitions_ahead', 'inventory.expire_reservations');   -- and their runs

COMMIT;
