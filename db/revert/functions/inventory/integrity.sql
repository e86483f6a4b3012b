-- Revert mercato:functions/inventory/integrity from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'inventory.integrity';   -- its run history goes with it
DROP FUNCTION inventory.assert_integrity();

COMMIT;
