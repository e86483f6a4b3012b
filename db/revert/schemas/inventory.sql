-- Revert mercato:schemas/inventory from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE module = 'inventory';
DELETE FROM identity.role_permission
 WHERE permission_id = (SELECT id FROM identity.permission WHERE code = 'inventory.manage');
DELETE FROM identity.permission WHERE code = 'inventory.manage';
DROP TABLE inventory.reservation, inventory.movement, inventory.channel_buffer, inventory.stock, inventory.location;
DROP TYPE inventory.allocation;
DROP SCHEMA inventory;

COMMIT;
