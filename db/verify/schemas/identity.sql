-- Verify mercato:schemas/identity on pg

BEGIN;

SELECT id, code, name, status, metadata, created_at, updated_at FROM identity.tenant WHERE false;
SELECT id, auth_subject, tenant_id, user_type, display_name, email, phone, status, metadata, created_at, updated_at
  FROM identity.user_account WHERE false;
SELECT id, code, name, description FROM identity.role WHERE false;
SELECT id, code, description FROM identity.permission WHERE false;
SELECT role_id, permission_id FROM identity.role_permission WHERE false;
SELECT id, user_id, role_id, tenant_id, granted_at, granted_by, revoked_at FROM identity.role_assignment WHERE false;

ROLLBACK;
