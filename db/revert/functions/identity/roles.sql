-- Revert mercato:functions/identity/roles from pg
-- Drops the guards and the custom-role functions, and puts back has_permission, assign_role and revoke_role as
-- released in @v0.1.0 (db/functions/identity@v0.1.0.sql).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER role_assignment_role ON identity.role_assignment;
DROP TRIGGER role_guard ON identity.role;
DROP FUNCTION identity.user_roles(bigint), identity.list_permissions(), identity.list_roles(bigint),
              identity.retire_role(text, bigint), identity.set_role_permissions(text, text[], bigint),
              identity.create_role(text, text, text, text[], bigint), identity.put_role_permissions(bigint, bigint, text[]),
              identity.lock_custom_role(text, bigint), identity.role_admin_tenant(bigint, text[]),
              identity.role_assignment_role_trg(), identity.role_guard_trg();

CREATE OR REPLACE FUNCTION identity.has_permission(p_user_id bigint, p_permission text, p_tenant_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN EXISTS (
    SELECT 1
      FROM identity.role_assignment ra
      JOIN identity.role_permission rp ON rp.role_id = ra.role_id
      JOIN identity.permission p ON p.id = rp.permission_id
     WHERE ra.user_id = p_user_id
       AND ra.revoked_at IS NULL
       AND p.code = p_permission
       AND (ra.tenant_id IS NULL OR ra.tenant_id = p_tenant_id));
COMMENT ON FUNCTION identity.has_permission(bigint, text, bigint) IS
'Does the user hold the permission, platform-wide or within the given tenant (through an unrevoked role assignment)?';

CREATE OR REPLACE FUNCTION identity.assign_role(p_user_id bigint, p_role_code text, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor       identity.actor;
    v_role_id     bigint;
    v_id          bigint;
    v_user_tenant bigint;
BEGIN
    v_actor := identity.require_permission('identity.manage_users', p_tenant_id);
    SELECT u.tenant_id INTO v_user_tenant FROM identity.user_account u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('user %s', p_user_id));
    END IF;
    -- A tenant's roles stay in the tenant: never to a user of another tenant (a platform user has no tenant).
    IF p_tenant_id IS NOT NULL AND v_user_tenant IS NOT NULL AND v_user_tenant <> p_tenant_id THEN
        PERFORM core.raise('IDENTITY_TENANT_MISMATCH', format('user %s is not of tenant %s', p_user_id, p_tenant_id));
    END IF;
    SELECT id INTO v_role_id FROM identity.role WHERE code = p_role_code;
    IF v_role_id IS NULL THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ROLE', format('role %s', p_role_code));
    END IF;
    IF p_tenant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM identity.tenant WHERE id = p_tenant_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_TENANT', format('tenant %s', p_tenant_id));
    END IF;
    INSERT INTO identity.role_assignment (user_id, role_id, tenant_id, granted_by)
    VALUES (p_user_id, v_role_id, p_tenant_id, v_actor.user_id)
    ON CONFLICT (user_id, role_id, coalesce(tenant_id, 0)) WHERE revoked_at IS NULL DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN   -- already assigned: idempotent
        SELECT id INTO v_id FROM identity.role_assignment
         WHERE user_id = p_user_id AND role_id = v_role_id AND coalesce(tenant_id, 0) = coalesce(p_tenant_id, 0)
           AND revoked_at IS NULL;
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.assign_role(bigint, text, bigint) IS
'Give a user a role, platform-wide or in one tenant; returns the assignment id (the existing one if already assigned).
Needs identity.manage_users (in that tenant). A role in a tenant goes only to a user of that tenant or to a platform
user (no tenant). Errors: IDENTITY_UNKNOWN_USER, IDENTITY_UNKNOWN_ROLE, IDENTITY_UNKNOWN_TENANT,
IDENTITY_TENANT_MISMATCH.';

CREATE OR REPLACE FUNCTION identity.revoke_role(p_user_id bigint, p_role_code text, p_tenant_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_done boolean;
BEGIN
    PERFORM identity.require_permission('identity.manage_users', p_tenant_id);
    IF NOT EXISTS (SELECT 1 FROM identity.role WHERE code = p_role_code) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ROLE', format('role %s', p_role_code));
    END IF;
    UPDATE identity.role_assignment ra SET revoked_at = now()
      FROM identity.role r
     WHERE r.id = ra.role_id AND r.code = p_role_code AND ra.user_id = p_user_id
       AND coalesce(ra.tenant_id, 0) = coalesce(p_tenant_id, 0) AND ra.revoked_at IS NULL;
    GET DIAGNOSTICS v_done = ROW_COUNT;
    RETURN v_done;
END
$$;
COMMENT ON FUNCTION identity.revoke_role(bigint, text, bigint) IS
'Revoke a role assignment (sets revoked_at; rows are kept). Returns false when there was nothing to revoke.';

DROP FUNCTION identity.resolve_role(text, bigint);

COMMIT;
