-- Revert mercato:functions/identity/permission_check from pg
-- Back to the SQL-language definition of functions/identity/roles.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.has_permission(p_user_id bigint, p_permission text, p_tenant_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN EXISTS (
    SELECT 1
      FROM identity.role_assignment ra
      JOIN identity.role r ON r.id = ra.role_id
      JOIN identity.role_permission rp ON rp.role_id = ra.role_id
      JOIN identity.permission p ON p.id = rp.permission_id
     WHERE ra.user_id = p_user_id
       AND ra.revoked_at IS NULL
       AND r.status = 'ACTIVE'
       AND p.code = p_permission
       AND (ra.tenant_id IS NULL OR ra.tenant_id = p_tenant_id));
COMMENT ON FUNCTION identity.has_permission(bigint, text, bigint) IS
'Does the user hold the permission, platform-wide or within the given tenant (through an unrevoked assignment of an
ACTIVE role, system or custom)? A retired role grants nothing.';

COMMIT;
