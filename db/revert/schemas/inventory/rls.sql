-- Revert mercato:schemas/inventory/rls from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

REVOKE SELECT ON inventory.location, inventory.stock, inventory.channel_buffer, inventory.movement, inventory.reservation
    FROM mercato_user, mercato_service;
DROP POLICY location_tenant ON inventory.location;
DROP POLICY stock_tenant ON inventory.stock;
DROP POLICY channel_buffer_tenant ON inventory.channel_buffer;
DROP POLICY movement_tenant ON inventory.movement;
DROP POLICY reservation_tenant ON inventory.reservation;
DROP POLICY location_service ON inventory.location;
DROP POLICY stock_service ON inventory.stock;
DROP POLICY channel_buffer_service ON inventory.channel_buffer;
DROP POLICY movement_service ON inventory.movement;
DROP POLICY reservation_service ON inventory.reservation;
ALTER TABLE inventory.location DISABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.stock DISABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.channel_buffer DISABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.movement DISABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.reservation DISABLE ROW LEVEL SECURITY;

COMMIT;
