-- Revert mercato:functions/inventory/levels from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION inventory.stock_levels(bigint, bigint, bigint);
DROP FUNCTION inventory.list_locations(bigint);

COMMIT;
