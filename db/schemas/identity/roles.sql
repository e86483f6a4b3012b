-- Deploy mercato:schemas/identity/roles to pg
-- Roles and permissions as the logistics seed has them (issue 17): besides the system roles (PLATFORM_ADMIN,
-- TENANT_ADMIN, SUPPORT: tenant_id NULL, edited by migrations only), a tenant's administrators create custom roles of
-- their tenant (tenant_id set) from the permissions a tenant may hold (permission.tenant_grantable). A role's code is
-- unique within its tenant, and a custom role never takes a system role's code (trigger identity.role_guard_trg,
-- functions/identity/roles). A custom role is retired (status RETIRED, retired_at), never deleted. Roles, permissions
-- and role permissions are audited (role_assignment already was). The permission identity.manage_roles lets a tenant's
-- administrators manage its custom roles.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

ALTER TABLE identity.role ADD COLUMN tenant_id bigint;
ALTER TABLE identity.role ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE';
ALTER TABLE identity.role ADD COLUMN retired_at timestamptz;
-- Each constraint is added NOT VALID and validated at once: identity.role is a catalogue of three rows when this deploys,
-- so the validation holds its lock for no time (squawk's rule is for large tables).
ALTER TABLE identity.role ADD CONSTRAINT role_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES identity.tenant (id) NOT VALID;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.role VALIDATE CONSTRAINT role_tenant_id_fkey;
-- a system role (no tenant) is never retired; RETIRED and retired_at go together
ALTER TABLE identity.role ADD CONSTRAINT role_status_check
    CHECK (status = 'ACTIVE' OR (status = 'RETIRED' AND tenant_id IS NOT NULL)) NOT VALID;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.role VALIDATE CONSTRAINT role_status_check;
ALTER TABLE identity.role ADD CONSTRAINT role_retired_at_check CHECK ((status = 'RETIRED') = (retired_at IS NOT NULL)) NOT VALID;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.role VALIDATE CONSTRAINT role_retired_at_check;
ALTER TABLE identity.role ADD CONSTRAINT role_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200) NOT VALID;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.role VALIDATE CONSTRAINT role_name_check;
ALTER TABLE identity.role ADD CONSTRAINT role_description_check CHECK (length(description) <= 2000) NOT VALID;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.role VALIDATE CONSTRAINT role_description_check;
-- A code is unique per tenant (NULLS NOT DISTINCT: among the system roles too), no longer platform-wide; the index also
-- serves the foreign key. The catalogue of roles is small (a few rows per tenant) and read by no hot path, so a plain
-- index build holds its lock for no time.
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX role_tenant_id_code_key ON identity.role (tenant_id, code) NULLS NOT DISTINCT;
-- The platform-wide unique code gives way to role_tenant_id_code_key (unique per tenant, the system roles among
-- themselves); the trigger identity.role_guard_trg keeps custom codes apart from system codes.
-- squawk-ignore ban-drop-constraint
ALTER TABLE identity.role DROP CONSTRAINT role_code_key;
-- Retiring a role revokes its active assignments, and listing roles counts them: read by role. Small for the same reason.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX role_assignment_role_id_idx ON identity.role_assignment (role_id) WHERE revoked_at IS NULL;
COMMENT ON INDEX identity.role_assignment_role_id_idx IS
'The active assignments of a role: identity.retire_role revokes them, identity.list_roles counts them.';
COMMENT ON COLUMN identity.role.tenant_id IS
'NULL: a system role (PLATFORM_ADMIN, TENANT_ADMIN, SUPPORT), assignable platform-wide or in any tenant, changed by
migrations only. Set: a custom role of that tenant, created by its administrators and assignable in that tenant only
(trigger identity.role_assignment_role_trg). Never changes.';
COMMENT ON COLUMN identity.role.status IS
'ACTIVE, or RETIRED (custom roles only, final): a retired role grants nothing and cannot be assigned; retiring it
revoked its active assignments.';
COMMENT ON TABLE identity.role IS
'An application role (a named set of permissions): a system role (tenant_id NULL) or a custom role of one tenant.
Its code is unique within its tenant and a custom role never reuses a system role''s code. Retired, never deleted.
Audited.';

ALTER TABLE identity.permission ADD COLUMN tenant_grantable boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN identity.permission.tenant_grantable IS
'May a tenant''s custom role hold this permission? True for permissions that act within one tenant (its users and
roles); false for the platform''s own (masterdata.manage, audit.read, marketplace.admin), which only system roles hold.
A tenant administrator also grants only the grantable permissions it holds itself in that tenant.';

CREATE TRIGGER role_audit AFTER INSERT OR UPDATE OR DELETE ON identity.role
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER permission_audit AFTER INSERT OR UPDATE OR DELETE ON identity.permission
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER role_permission_audit AFTER INSERT OR UPDATE OR DELETE ON identity.role_permission
    FOR EACH ROW EXECUTE FUNCTION audit.track('role_id');

INSERT INTO identity.permission (code, description, tenant_grantable) VALUES
('identity.manage_roles', 'Create custom roles of a tenant, choose their permissions, retire them.', true);
UPDATE identity.permission SET tenant_grantable = true WHERE code IN ('identity.manage_users', 'identity.manage_roles');
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code IN ('PLATFORM_ADMIN', 'TENANT_ADMIN') AND r.tenant_id IS NULL AND p.code = 'identity.manage_roles';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_ROLE_CODE_TAKEN', 'identity', 'PT409', 'a role with this code already exists', 'choose another code',
 'A custom role''s code is unique within its tenant (a retired role keeps its code) and never a system role''s code.'),
('IDENTITY_ROLE_NOT_EDITABLE', 'identity', 'PT403', 'this role cannot be changed', NULL,
 'System roles (PLATFORM_ADMIN, TENANT_ADMIN, SUPPORT) change by migrations only; no role''s code or tenant ever '
 'changes, and roles are retired, never deleted.'),
('IDENTITY_PERMISSION_NOT_GRANTABLE', 'identity', 'PT403', 'a custom role cannot hold this permission', NULL,
 'The permission is not tenant_grantable (a platform permission), or the caller does not hold it in the tenant itself.'),
('IDENTITY_ROLE_RETIRED', 'identity', 'PT409', 'the role is retired', NULL,
 'A retired role cannot be assigned, edited or brought back.'),
('IDENTITY_UNKNOWN_PERMISSION', 'identity', 'PT404', 'no such permission', 'api.list_permissions lists them',
 'A permission code does not exist; the detail names it.'),
('IDENTITY_ROLE_TENANT_MISMATCH', 'identity', 'PT403', 'a custom role is assigned in its own tenant only', NULL,
 'A tenant''s custom role was to be assigned in another tenant (or platform-wide), or to a user of another tenant: '
 'refused by the database whoever writes.');

COMMIT;
