-- Revert mercato:functions/inventory/reservations from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION inventory.expire_reservations(integer);
DROP FUNCTION inventory.ship(bigint, integer, bigint);
DROP FUNCTION inventory.release_reference(text, text, text, bigint);
DROP FUNCTION inventory.release(bigint, bigint);
DROP FUNCTION inventory.ship_for(bigint, bigint, integer);
DROP FUNCTION inventory.release_reference_for(bigint, text, text, text);
DROP FUNCTION inventory.release_for(bigint, bigint);
DROP FUNCTION inventory.resolve_reservations(bigint, bigint[], text);
DROP FUNCTION inventory.reserve(jsonb, text, text, text, timestamptz, text, bigint);
DROP FUNCTION inventory.reserve_for(bigint, jsonb, text, text, text, timestamptz, text);

COMMIT;
