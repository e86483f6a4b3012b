-- Revert mercato:schemas/store/rls from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

REVOKE SELECT ON store.card, store.card_variant FROM mercato_user, mercato_service;
DROP POLICY card_variant_tenant ON store.card_variant;
DROP POLICY card_tenant ON store.card;
DROP POLICY card_variant_service ON store.card_variant;
DROP POLICY card_service ON store.card;
ALTER TABLE store.card_variant DISABLE ROW LEVEL SECURITY;
ALTER TABLE store.card DISABLE ROW LEVEL SECURITY;

COMMIT;
