-- Verify mercato:schemas/identity/tenant_currency on pg

BEGIN;

SELECT currency FROM identity.tenant WHERE false;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k
             WHERE k.conrelid = 'identity.tenant'::regclass AND k.conname = c AND k.convalidated)::int
  FROM unnest(ARRAY['tenant_currency_fkey', 'tenant_id_currency_key']) AS c;
SELECT 1 / (SELECT count(*) FROM core.error WHERE code = 'IDENTITY_TENANT_CURRENCY_SET')::int;

ROLLBACK;
