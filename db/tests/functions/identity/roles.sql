-- Tests for functions/identity/roles: custom roles created, granted, assigned and retired by a tenant's admin; what
-- another tenant's admin, a platform admin and a direct write can and cannot do; the replaced has_permission,
-- assign_role and revoke_role; audit.
BEGIN;
SELECT plan(46);

-- two tenants, an admin of each, a clerk-to-be of A, a platform admin
CREATE TEMP TABLE w AS SELECT identity.create_tenant('fr-a', 'A') AS a, identity.create_tenant('fr-b', 'B') AS b;
ALTER TABLE w ADD COLUMN a_admin bigint, ADD COLUMN b_admin bigint, ADD COLUMN a_user bigint, ADD COLUMN b_user bigint,
              ADD COLUMN padmin bigint;
UPDATE w SET a_admin = identity.register_user('fr-a-admin', 'ADMIN', 'A admin', a),
             b_admin = identity.register_user('fr-b-admin', 'ADMIN', 'B admin', b),
             a_user = identity.register_user('fr-a-user', 'STAFF', 'A user', a),
             b_user = identity.register_user('fr-b-user', 'STAFF', 'B user', b),
             padmin = identity.register_user('fr-padmin', 'ADMIN', 'Platform admin');
SELECT identity.assign_role(a_admin, 'TENANT_ADMIN', a), identity.assign_role(b_admin, 'TENANT_ADMIN', b),
       identity.assign_role(padmin, 'PLATFORM_ADMIN') FROM w;
GRANT SELECT ON w TO mercato_user, mercato_service, mercato_owner;
-- internal functions unit-tested as an API role: granted in this rolled-back transaction only
GRANT EXECUTE ON FUNCTION identity.has_permission(bigint, text, bigint), identity.require_permission(text, bigint),
    identity.require_user(), identity.is_service(), identity.caller_role(), core.raise(text, text, text) TO mercato_user;

-- A's admin creates a custom role
SELECT tests.as_user('fr-a-admin');
SELECT ok(api.create_role('CLERK', 'Clerk', 'Manages the users of the shop', ARRAY['identity.manage_users']) > 0,
          'a tenant admin creates a custom role with a permission');
SELECT results_eq($$SELECT code, tenant_id, is_system, permissions FROM api.list_roles() WHERE code = 'CLERK'$$,
                  $$SELECT 'CLERK'::text, a, false, ARRAY['identity.manage_users'] FROM w$$, 'listed in its tenant');
SELECT set_eq($$SELECT code FROM api.list_roles()$$, ARRAY['PLATFORM_ADMIN', 'TENANT_ADMIN', 'SUPPORT', 'CREDIT_OPERATOR', 'CLERK'],
              'the system roles and the tenant''s own');
SELECT throws_like($$SELECT api.create_role('CLERK', 'Again')$$, 'IDENTITY_ROLE_CODE_TAKEN:%', 'a code once per tenant');
SELECT throws_like($$SELECT api.create_role('SUPPORT', 'Mine')$$, 'IDENTITY_ROLE_CODE_TAKEN:%', 'never a system role''s code');
SELECT throws_like($$SELECT api.create_role('AUDITOR', 'Auditor', '', ARRAY['audit.read'])$$,
                   'IDENTITY_PERMISSION_NOT_GRANTABLE:%', 'a platform permission is not grantable');
SELECT throws_like($$SELECT api.create_role('BOSS', 'Boss', '', ARRAY['masterdata.manage'])$$,
                   'IDENTITY_PERMISSION_NOT_GRANTABLE:%', 'nor masterdata.manage');
SELECT throws_like($$SELECT api.create_role('ODD', 'Odd', '', ARRAY['identity.fly'])$$, 'IDENTITY_UNKNOWN_PERMISSION:%',
                   'an unknown permission');
SELECT throws_like($$SELECT api.create_role('bad code', 'Bad')$$, 'IDENTITY_INVALID_INPUT:%', 'a malformed code');
SELECT throws_like($$SELECT api.set_role_permissions('TENANT_ADMIN', '{}')$$, 'IDENTITY_ROLE_NOT_EDITABLE:%',
                   'a system role''s permissions are not the tenant''s to change');
SELECT throws_like($$SELECT api.retire_role('SUPPORT')$$, 'IDENTITY_ROLE_NOT_EDITABLE:%', 'nor retired');
SELECT throws_like($$SELECT api.create_role('X', 'X', '', '{}', (SELECT b FROM w))$$, 'IDENTITY_TENANT_MISMATCH:%',
                   'a tenant admin cannot name another tenant');
SELECT is(api.set_role_permissions('CLERK', ARRAY['identity.manage_users', 'identity.manage_roles']),
          ARRAY['identity.manage_roles', 'identity.manage_users'], 'permissions replaced, returned sorted');
SELECT is(api.set_role_permissions('CLERK', ARRAY['identity.manage_users']), ARRAY['identity.manage_users'],
          'and removed');

-- assigned: the user holds the permission in the tenant, nowhere else
SELECT ok(api.assign_role((SELECT a_user FROM w), 'CLERK', (SELECT a FROM w)) > 0, 'the custom role is assigned in its tenant');
SELECT ok(identity.has_permission((SELECT a_user FROM w), 'identity.manage_users', (SELECT a FROM w)),
          'its holder has the permission in the tenant');
SELECT ok(NOT identity.has_permission((SELECT a_user FROM w), 'identity.manage_users', (SELECT b FROM w)),
          'not in another tenant');
SELECT ok(NOT identity.has_permission((SELECT a_user FROM w), 'identity.manage_users'), 'nor platform-wide');
SELECT tests.as_user('fr-a-user');
SELECT is((identity.require_permission('identity.manage_users', (SELECT a FROM w))).user_id, (SELECT a_user FROM w),
          'require_permission lets the holder through');
SELECT is((SELECT role_code || ' by ' || granted_by_name FROM api.user_roles((SELECT a_user FROM w))), 'CLERK by A admin',
          'a user reads its own assignments: which role, granted by whom');
-- no escalation: a holder of manage_roles only grants what it holds
RESET ROLE;
SELECT identity.create_role('ROLE_MAKER', 'Role maker', '', ARRAY['identity.manage_roles'], a) FROM w;
SELECT identity.assign_role(b_user, 'SUPPORT', b) FROM w;   -- unrelated noise in B
SELECT tests.as_user('fr-a-admin');
SELECT api.assign_role((SELECT a_user FROM w), 'ROLE_MAKER', (SELECT a FROM w));
SELECT api.revoke_role((SELECT a_user FROM w), 'CLERK', (SELECT a FROM w));
SELECT tests.as_user('fr-a-user');
SELECT throws_like($$SELECT api.create_role('ADMIN2', 'Admin 2', '', ARRAY['identity.manage_users'])$$,
                   'IDENTITY_PERMISSION_NOT_GRANTABLE:%', 'a permission the caller does not hold cannot be granted');
SELECT ok(api.create_role('ROLE_MAKER_2', 'Role maker 2', '', ARRAY['identity.manage_roles']) > 0,
          'one it holds can');
RESET ROLE;
SELECT identity.revoke_role(a_user, 'ROLE_MAKER', a) FROM w;
SELECT identity.assign_role(a_user, 'CLERK', a) FROM w;

-- another tenant's admin: A's roles are invisible and out of reach
SELECT tests.as_user('fr-b-admin');
SELECT ok(NOT EXISTS (SELECT 1 FROM api.list_roles() WHERE code = 'CLERK'), 'another tenant''s admin does not see the role');
SELECT throws_like($$SELECT api.list_roles((SELECT a FROM w))$$, 'IDENTITY_TENANT_MISMATCH:%', 'nor lists A''s roles');
SELECT throws_like($$SELECT api.set_role_permissions('CLERK', '{}')$$, 'IDENTITY_UNKNOWN_ROLE:%', 'nor edits it');
SELECT throws_like($$SELECT api.retire_role('CLERK')$$, 'IDENTITY_UNKNOWN_ROLE:%', 'nor retires it');
SELECT throws_like($$SELECT api.assign_role((SELECT b_user FROM w), 'CLERK', (SELECT b FROM w))$$, 'IDENTITY_UNKNOWN_ROLE:%',
                   'nor assigns it in its own tenant');
SELECT throws_like($$SELECT api.user_roles((SELECT a_user FROM w))$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'nor reads the assignments of A''s users');
SELECT ok(api.create_role('CLERK', 'B clerk') > 0, 'the same code is free in another tenant');

-- the platform admin, and direct writes: a custom role stays in its tenant whoever writes
SELECT tests.as_user('fr-padmin');
SELECT throws_like($$SELECT api.assign_role((SELECT b_user FROM w), 'ROLE_MAKER', (SELECT b FROM w))$$,
                   'IDENTITY_UNKNOWN_ROLE:%', 'a platform admin cannot assign A''s role in B: the code names no role there');
SELECT ok(EXISTS (SELECT 1 FROM api.list_roles((SELECT a FROM w)) WHERE code = 'ROLE_MAKER'), 'a platform admin names the tenant');
RESET ROLE;
SET LOCAL ROLE mercato_owner;   -- the tables' owner, no superuser: the trigger holds for it
SELECT throws_like($$INSERT INTO identity.role_assignment (user_id, role_id, tenant_id)
                     SELECT b_user, r.id, b FROM w, identity.role r WHERE r.code = 'ROLE_MAKER' AND r.tenant_id = w.a$$,
                   'IDENTITY_ROLE_TENANT_MISMATCH:%', 'a direct INSERT of a custom role in another tenant is refused');
SELECT throws_like($$INSERT INTO identity.role_assignment (user_id, role_id, tenant_id)
                     SELECT padmin, r.id, NULL FROM w, identity.role r WHERE r.code = 'ROLE_MAKER' AND r.tenant_id = w.a$$,
                   'IDENTITY_ROLE_TENANT_MISMATCH:%', 'and platform-wide');
SELECT throws_like($$INSERT INTO identity.role_assignment (user_id, role_id, tenant_id)
                     SELECT b_user, r.id, a FROM w, identity.role r WHERE r.code = 'ROLE_MAKER' AND r.tenant_id = w.a$$,
                   'IDENTITY_ROLE_TENANT_MISMATCH:%', 'and to a user of another tenant');
SELECT throws_like($$UPDATE identity.role SET code = 'CASHIER' WHERE code = 'ROLE_MAKER'$$, 'IDENTITY_ROLE_NOT_EDITABLE:%',
                   'a role''s code never changes');
SELECT throws_like($$DELETE FROM identity.role WHERE code = 'ROLE_MAKER'$$, 'IDENTITY_ROLE_NOT_EDITABLE:%',
                   'roles are never deleted');
SELECT throws_like($$INSERT INTO identity.role (code, name) VALUES ('CLERK', 'System clerk')$$, 'IDENTITY_ROLE_CODE_TAKEN:%',
                   'a new system role cannot take a custom role''s code');
RESET ROLE;

-- retired: its holders lose it at once, nobody gets it again
SELECT tests.as_user('fr-a-admin');
SELECT is(api.retire_role('CLERK'), 1, 'retiring revokes the active assignment');
SELECT ok(NOT identity.has_permission((SELECT a_user FROM w), 'identity.manage_users', (SELECT a FROM w)),
          'the permission is gone');
SELECT throws_like($$SELECT api.assign_role((SELECT a_user FROM w), 'CLERK', (SELECT a FROM w))$$, 'IDENTITY_ROLE_RETIRED:%',
                   'a retired role cannot be assigned');
SELECT throws_like($$SELECT api.set_role_permissions('CLERK', '{}')$$, 'IDENTITY_ROLE_RETIRED:%', 'nor edited');
SELECT is(api.retire_role('CLERK'), 0, 'retiring again does nothing');
RESET ROLE;
SET LOCAL ROLE mercato_owner;
SELECT throws_like($$UPDATE identity.role_assignment SET revoked_at = NULL
                      WHERE role_id = (SELECT id FROM identity.role WHERE code = 'CLERK' AND tenant_id = (SELECT a FROM w))$$,
                   'IDENTITY_ROLE_RETIRED:%', 'a direct write cannot revive an assignment of a retired role');
SELECT throws_like($$UPDATE identity.role SET status = 'ACTIVE', retired_at = NULL WHERE code = 'CLERK' AND tenant_id = (SELECT a FROM w)$$,
                   'IDENTITY_ROLE_RETIRED:%', 'nor the role');
RESET ROLE;
SELECT ok((SELECT count(*) FROM audit.event e, identity.role r, w
            WHERE r.code = 'CLERK' AND r.tenant_id = w.a AND e.entity_id = r.id::text
              AND ((e.entity_type = 'identity.role' AND e.action IN ('INSERT', 'UPDATE'))
                OR (e.entity_type = 'identity.role_permission' AND e.action IN ('INSERT', 'DELETE')))) >= 5,
          'creation, permission changes and retirement are audited');
SELECT ok(EXISTS (SELECT 1 FROM audit.event e WHERE e.entity_type = 'identity.role_assignment' AND e.action = 'UPDATE'
                    AND e.new_values ->> 'revoked_at' IS NOT NULL AND e.actor_user_id = (SELECT a_admin FROM w)),
          'the revocation by retirement is audited with its actor');

SELECT * FROM finish();
ROLLBACK;
