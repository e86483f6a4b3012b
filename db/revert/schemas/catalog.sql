-- Revert mercato:schemas/catalog from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TABLE catalog.variant;
DROP TABLE catalog.product_channel;
DROP TABLE catalog.product;
DROP SCHEMA catalog;
DELETE FROM identity.role_permission rp USING identity.permission p
 WHERE p.id = rp.permission_id AND p.code = 'catalog.manage';
DELETE FROM identity.permission WHERE code = 'catalog.manage';
DELETE FROM core.error WHERE module = 'catalog';

COMMIT;
