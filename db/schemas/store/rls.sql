-- Deploy mercato:schemas/store/rls to pg
-- Row-level security on the store's cards (issue 18 design, "Tenancy"): a tenant's users read their own tenant's rows,
-- the back office all; no API role writes them (store.add_card and store.add_card_variant do). The reference data of
-- schemas/store (games, conditions, printings, grading scales) is the same for everyone and has no row security.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

ALTER TABLE store.card ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.card_variant ENABLE ROW LEVEL SECURITY;

CREATE POLICY card_service ON store.card FOR SELECT TO mercato_service USING (true);
CREATE POLICY card_variant_service ON store.card_variant FOR SELECT TO mercato_service USING (true);
CREATE POLICY card_tenant ON store.card FOR SELECT TO mercato_user
    USING (card.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY card_variant_tenant ON store.card_variant FOR SELECT TO mercato_user
    USING (card_variant.tenant_id = (SELECT identity.my_tenant_id()));

GRANT SELECT ON store.card, store.card_variant TO mercato_user, mercato_service;

COMMIT;
