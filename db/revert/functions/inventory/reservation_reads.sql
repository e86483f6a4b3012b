-- Revert mercato:functions/inventory/reservation_reads from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION inventory.live_reservations_for(bigint, text, text, text[], bigint);

COMMIT;
