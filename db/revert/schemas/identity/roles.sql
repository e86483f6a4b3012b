-- Revert mercato:schemas/identity/roles from pg
-- Custom roles go with the columns that describe them: their assignments, permissions and rows are deleted (audited)
-- before the platform-wide unique code comes back.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM identity.role_assignment ra USING identity.role r WHERE r.id = ra.role_id AND r.tenant_id IS NOT NULL;
DELETE FROM identity.role_permission rp USING identity.role r WHERE r.id = rp.role_id AND r.tenant_id IS NOT NULL;
DELETE FROM identity.role WHERE tenant_id IS NOT NULL;
DELETE FROM identity.role_permission rp USING identity.permission p
 WHERE p.id = rp.permission_id AND p.code = 'identity.manage_roles';
DELETE FROM identity.permission WHERE code = 'identity.manage_roles';
DELETE FROM core.error WHERE code IN ('IDENTITY_ROLE_CODE_TAKEN', 'IDENTITY_ROLE_NOT_EDITABLE',
                                      'IDENTITY_PERMISSION_NOT_GRANTABLE', 'IDENTITY_ROLE_RETIRED',
                                      'IDENTITY_UNKNOWN_PERMISSION', 'IDENTITY_ROLE_TENANT_MISMATCH');
DROP TRIGGER role_permission_audit ON identity.role_permission;
DROP TRIGGER permission_audit ON identity.permission;
DROP TRIGGER role_audit ON identity.role;
ALTER TABLE identity.permission DROP COLUMN tenant_grantable;
DROP INDEX identity.role_assignment_role_id_idx;
ALTER TABLE identity.role ADD CONSTRAINT role_code_key UNIQUE (code);
DROP INDEX identity.role_tenant_id_code_key;
ALTER TABLE identity.role DROP COLUMN retired_at, DROP COLUMN status, DROP COLUMN tenant_id;
ALTER TABLE identity.role DROP CONSTRAINT role_name_check, DROP CONSTRAINT role_description_check;
COMMENT ON TABLE identity.role IS 'An application role (a named set of permissions), e.g. PLATFORM_ADMIN, BUSINESS_OWNER.';

COMMIT;
