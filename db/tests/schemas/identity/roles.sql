-- Tests for schemas/identity/roles: custom-role columns and checks, codes unique per tenant, tenant_grantable,
-- identity.manage_roles, audit triggers, error codes.
BEGIN;
SELECT plan(15);

SELECT has_column('identity', 'role', 'tenant_id', 'role.tenant_id: NULL for a system role');
SELECT col_default_is('identity', 'role', 'status', 'ACTIVE', 'a role starts ACTIVE');
SELECT has_column('identity', 'permission', 'tenant_grantable', 'permission.tenant_grantable');
SELECT is((SELECT count(*)::int FROM identity.role WHERE tenant_id IS NULL AND status = 'ACTIVE'
            AND code IN ('PLATFORM_ADMIN', 'TENANT_ADMIN', 'SUPPORT')), 3, 'the system roles stay, ACTIVE, without a tenant');
SELECT set_eq($$SELECT code FROM identity.permission WHERE tenant_grantable AND code LIKE 'identity.%'$$,
              ARRAY['identity.manage_users', 'identity.manage_roles'], 'only tenant-level identity permissions are grantable (the modules add theirs)');
SELECT set_eq($$SELECT r.code FROM identity.role r JOIN identity.role_permission rp ON rp.role_id = r.id
                 JOIN identity.permission p ON p.id = rp.permission_id WHERE p.code = 'identity.manage_roles'$$,
              ARRAY['PLATFORM_ADMIN', 'TENANT_ADMIN'], 'platform and tenant admins manage roles');

CREATE TEMP TABLE t AS SELECT identity.create_tenant('sr-a', 'A') AS a, identity.create_tenant('sr-b', 'B') AS b;
-- the guard trigger (functions/identity/roles) is off here: these are the table's own constraints
ALTER TABLE identity.role DISABLE TRIGGER role_guard;
SELECT lives_ok($$INSERT INTO identity.role (code, name, tenant_id) SELECT 'PICKER', 'Picker', a FROM t
                  UNION ALL SELECT 'PICKER', 'Picker', b FROM t$$, 'the same code in two tenants');
SELECT throws_ok($$INSERT INTO identity.role (code, name, tenant_id) SELECT 'PICKER', 'Again', a FROM t$$, '23505', NULL,
                 'a code is unique within its tenant');
SELECT throws_ok($$INSERT INTO identity.role (code, name) VALUES ('SUPPORT', 'Again')$$, '23505', NULL,
                 'and among the system roles (NULLS NOT DISTINCT)');
SELECT throws_ok($$UPDATE identity.role SET status = 'RETIRED', retired_at = now() WHERE code = 'SUPPORT'$$, '23514', NULL,
                 'a system role is never retired');
SELECT throws_ok($$UPDATE identity.role SET status = 'RETIRED' WHERE code = 'PICKER'$$, '23514', NULL,
                 'a retired role says when');
SELECT throws_ok($$INSERT INTO identity.role (code, name, tenant_id) SELECT 'GHOST', 'G', 999999999$$, '23503', NULL,
                 'a custom role belongs to an existing tenant');
ALTER TABLE identity.role ENABLE TRIGGER role_guard;

SELECT ok((SELECT count(*) FROM audit.event WHERE entity_type = 'identity.role' AND action = 'INSERT'
            AND new_values ->> 'code' = 'PICKER') = 2, 'roles are audited');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname IN ('role_audit', 'permission_audit', 'role_permission_audit')
            AND tgfoid = 'audit.track()'::regprocedure), 3, 'role, permission and role_permission are audited');
SELECT is((SELECT count(*)::int FROM core.error WHERE code IN ('IDENTITY_ROLE_CODE_TAKEN', 'IDENTITY_ROLE_NOT_EDITABLE',
            'IDENTITY_PERMISSION_NOT_GRANTABLE', 'IDENTITY_ROLE_RETIRED', 'IDENTITY_UNKNOWN_PERMISSION',
            'IDENTITY_ROLE_TENANT_MISMATCH')), 6, 'the error codes are catalogued');

SELECT * FROM finish();
ROLLBACK;
