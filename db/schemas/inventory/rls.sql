-- Deploy mercato:schemas/inventory/rls to pg
-- Row-level security on the inventory: a user of a tenant sees its tenant's locations, stock, channel buffers,
-- movements and reservations; the back office (mercato_service) sees all; anyone else nothing. SELECT-only: writes
-- go through the inventory's functions, and no API role holds INSERT, UPDATE or DELETE on these tables.
-- The movement partitions hold no grant: they are read through inventory.movement, whose policies apply.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

ALTER TABLE inventory.location ENABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.stock ENABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.channel_buffer ENABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.movement ENABLE ROW LEVEL SECURITY;
ALTER TABLE inventory.reservation ENABLE ROW LEVEL SECURITY;

CREATE POLICY location_tenant ON inventory.location FOR SELECT TO mercato_user
    USING (location.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY stock_tenant ON inventory.stock FOR SELECT TO mercato_user
    USING (stock.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY channel_buffer_tenant ON inventory.channel_buffer FOR SELECT TO mercato_user
    USING (channel_buffer.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY movement_tenant ON inventory.movement FOR SELECT TO mercato_user
    USING (movement.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY reservation_tenant ON inventory.reservation FOR SELECT TO mercato_user
    USING (reservation.tenant_id = (SELECT identity.my_tenant_id()));

CREATE POLICY location_service ON inventory.location FOR SELECT TO mercato_service USING (true);
CREATE POLICY stock_service ON inventory.stock FOR SELECT TO mercato_service USING (true);
CREATE POLICY channel_buffer_service ON inventory.channel_buffer FOR SELECT TO mercato_service USING (true);
CREATE POLICY movement_service ON inventory.movement FOR SELECT TO mercato_service USING (true);
CREATE POLICY reservation_service ON inventory.reservation FOR SELECT TO mercato_service USING (true);

GRANT SELECT ON inventory.location, inventory.stock, inventory.channel_buffer, inventory.movement, inventory.reservation
    TO mercato_user, mercato_service;

COMMIT;
