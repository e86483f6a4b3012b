-- Tests for functions/api/roles: who may call each wrapper, and a tenant admin's round trip through them.
BEGIN;
SELECT plan(12);

SELECT ok(NOT has_function_privilege('mercato_anon', 'api.list_roles(bigint)', 'EXECUTE'), 'anonymous callers list no roles');
SELECT ok(has_function_privilege('mercato_user', 'api.create_role(core.name_text, core.name_text, core.long_text, core.text_list, bigint)', 'EXECUTE'),
          'users call create_role (the function checks the permission)');
SELECT is_definer('api', 'retire_role', ARRAY['core.name_text', 'bigint'], 'api.retire_role is SECURITY DEFINER');

CREATE TEMP TABLE w AS SELECT identity.create_tenant('ar-a', 'A') AS a;
ALTER TABLE w ADD COLUMN admin bigint, ADD COLUMN clerk bigint, ADD COLUMN nobody bigint;
UPDATE w SET admin = identity.register_user('ar-admin', 'ADMIN', 'Admin', a),
             clerk = identity.register_user('ar-clerk', 'STAFF', 'Clerk', a),
             nobody = identity.register_user('ar-nobody', 'STAFF', 'Nobody', a);
SELECT identity.assign_role(admin, 'TENANT_ADMIN', a) FROM w;
GRANT SELECT ON w TO mercato_user, mercato_service;

SELECT tests.as_user('ar-nobody');
SELECT throws_like($$SELECT api.list_roles()$$, 'IDENTITY_PERMISSION_DENIED:%', 'a user without the permission lists no roles');
SELECT throws_like($$SELECT api.create_role('X', 'X')$$, 'IDENTITY_PERMISSION_DENIED:%', 'nor creates one');
SELECT ok((SELECT count(*) FROM api.list_permissions()) >= 5, 'any user reads the catalogue of permissions');
RESET ROLE;

SELECT tests.as_user('ar-admin');
SELECT ok(api.create_role('DISPATCHER', 'Dispatcher', 'Assigns drivers', ARRAY['identity.manage_users']) > 0, 'created');
SELECT ok(api.assign_role((SELECT clerk FROM w), 'DISPATCHER', (SELECT a FROM w)) > 0, 'assigned with the existing api.assign_role');
SELECT is((SELECT active_assignments FROM api.list_roles() WHERE code = 'DISPATCHER'), 1::bigint, 'counted');
SELECT ok(api.revoke_role((SELECT clerk FROM w), 'DISPATCHER', (SELECT a FROM w)), 'revoked with the existing api.revoke_role');
SELECT is(api.retire_role('DISPATCHER'), 0, 'retired (nothing left to revoke)');
RESET ROLE;
SELECT tests.as_service();
SELECT is((SELECT count(*)::int FROM api.user_roles((SELECT clerk FROM w))), 1, 'the back office reads the history');

SELECT * FROM finish();
ROLLBACK;
