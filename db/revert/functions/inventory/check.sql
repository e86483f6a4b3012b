-- Revert mercato:functions/inventory/check from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION inventory.check();

COMMIT;
