-- Deploy mercato:schemas/catalog/rls to pg
-- Row-level security on the catalog (issue 18): a user reads its own tenant's products, channel ids and variants
-- (tenant_id = identity.my_tenant_id()); the back office (mercato_service) reads all. SELECT only: no API role writes
-- the catalog (the catalog functions do). A platform user (no tenant) reads no row directly: it names a tenant to the
-- catalog functions instead.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

GRANT USAGE ON SCHEMA catalog TO mercato_user, mercato_service;

ALTER TABLE catalog.product ENABLE ROW LEVEL SECURITY;
ALTER TABLE catalog.product_channel ENABLE ROW LEVEL SECURITY;
ALTER TABLE catalog.variant ENABLE ROW LEVEL SECURITY;

CREATE POLICY product_tenant ON catalog.product FOR SELECT TO mercato_user
    USING (tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY product_channel_tenant ON catalog.product_channel FOR SELECT TO mercato_user
    USING (tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY variant_tenant ON catalog.variant FOR SELECT TO mercato_user
    USING (tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY product_service ON catalog.product FOR SELECT TO mercato_service USING (true);
CREATE POLICY product_channel_service ON catalog.product_channel FOR SELECT TO mercato_service USING (true);
CREATE POLICY variant_service ON catalog.variant FOR SELECT TO mercato_service USING (true);

GRANT SELECT ON catalog.product, catalog.product_channel, catalog.variant TO mercato_user, mercato_service;

COMMIT;
