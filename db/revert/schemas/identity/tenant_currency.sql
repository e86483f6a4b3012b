-- Revert mercato:schemas/identity/tenant_currency from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code = 'IDENTITY_TENANT_CURRENCY_SET';
ALTER TABLE identity.tenant DROP CONSTRAINT tenant_id_currency_key;
ALTER TABLE identity.tenant DROP COLUMN currency;

COMMIT;
