-- Revert mercato:functions/inventory/guards from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER reservation_guard ON inventory.reservation;
DROP FUNCTION inventory.reservation_guard_trg();
DROP FUNCTION inventory.check_reference(text, text, text, boolean);
DROP FUNCTION inventory.add_movement(bigint, bigint, text, integer, integer, numeric, text, text, text, text);
DROP FUNCTION inventory.lock_variant_growth(bigint, bigint, integer, integer);
DROP FUNCTION inventory.stock_id(bigint, bigint, bigint, boolean);
DROP FUNCTION inventory.variant_terms(bigint, bigint);
DROP FUNCTION inventory.manage_tenant(bigint);

COMMIT;
