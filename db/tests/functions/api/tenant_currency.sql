-- Tests for functions/api/tenant_currency: who may execute the wrapper (the rules are proven in
-- db/tests/functions/identity/tenant_currency.sql).
BEGIN;
SELECT plan(3);

SELECT function_privs_are('api', 'set_tenant_currency', ARRAY['bigint', 'core.name_text'], 'mercato_user', ARRAY['EXECUTE'],
                          'users may call it (the function checks the permission)');
SELECT function_privs_are('api', 'set_tenant_currency', ARRAY['bigint', 'core.name_text'], 'mercato_service',
                          ARRAY['EXECUTE'], 'the back office may call it');
SELECT function_privs_are('api', 'set_tenant_currency', ARRAY['bigint', 'core.name_text'], 'mercato_anon', ARRAY[]::text[],
                          'anonymous callers may not');

SELECT * FROM finish();
ROLLBACK;
