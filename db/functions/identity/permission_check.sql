-- Deploy mercato:functions/identity/permission_check to pg
-- identity.has_permission in PL/pgSQL. As a SQL-language function with a SET clause it could not be inlined and was
-- planned again on every call (its four-table join, ≈ 1-2 ms of every staff call under load; docs/benchmarks.md,
-- "Store benchmark"); PL/pgSQL keeps the plan of its query for the session. Same arguments, same answer, same
-- privileges: only the language changes (functions/identity/roles defined the SQL version).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.has_permission(p_user_id bigint, p_permission text, p_tenant_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
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
END
$$;
COMMENT ON FUNCTION identity.has_permission(bigint, text, bigint) IS
'Does the user hold the permission, platform-wide or within the given tenant (through an unrevoked assignment of an
ACTIVE role, system or custom)? A retired role grants nothing. PL/pgSQL so that its plan is kept for the session.';

COMMIT;
