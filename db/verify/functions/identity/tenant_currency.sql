-- Verify mercato:functions/identity/tenant_currency on pg

BEGIN;

SELECT 'identity.set_tenant_currency(bigint, text)'::regprocedure;
-- no API role executes it (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'identity.set_tenant_currency(bigint, text)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
