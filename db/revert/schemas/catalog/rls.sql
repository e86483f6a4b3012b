-- Revert mercato:schemas/catalog/rls from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

REVOKE SELECT ON catalog.product, catalog.product_channel, catalog.variant FROM mercato_user, mercato_service;
DROP POLICY variant_service ON catalog.variant;
DROP POLICY product_channel_service ON catalog.product_channel;
DROP POLICY product_service ON catalog.product;
DROP POLICY variant_tenant ON catalog.variant;
DROP POLICY product_channel_tenant ON catalog.product_channel;
DROP POLICY product_tenant ON catalog.product;
ALTER TABLE catalog.variant DISABLE ROW LEVEL SECURITY;
ALTER TABLE catalog.product_channel DISABLE ROW LEVEL SECURITY;
ALTER TABLE catalog.product DISABLE ROW LEVEL SECURITY;
REVOKE USAGE ON SCHEMA catalog FROM mercato_user, mercato_service;

COMMIT;
