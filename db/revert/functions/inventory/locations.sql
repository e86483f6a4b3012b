-- Revert mercato:functions/inventory/locations from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION inventory.update_location(bigint, text, integer, boolean, text, bigint);
DROP FUNCTION inventory.create_location(text, text, text, integer, boolean, bigint);

COMMIT;
