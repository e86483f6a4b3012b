-- Verify mercato:functions/api/tenant_currency on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, 'api.set_tenant_currency(bigint, core.name_text)', 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', 'api.set_tenant_currency(bigint, core.name_text)',
                                                  'EXECUTE'))::int;

ROLLBACK;
