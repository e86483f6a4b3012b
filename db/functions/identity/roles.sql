-- Deploy mercato:functions/identity/roles to pg
-- Custom roles of a tenant (issue 17, the logistics seed's roles / permissions / user_roles): create, choose
-- permissions, retire, list; who holds which role. The guards that hold whoever writes: a role's code is unique in its
-- tenant and never a system role's code, its code and tenant never change, roles are never deleted, a retired role
-- stays retired (identity.role_guard_trg); a custom role is assigned in its own tenant only, to a user of that tenant
-- or a platform user, and a retired role to nobody (identity.role_assignment_role_trg).
-- It also replaces three functions of functions/identity (released in @v0.1.0, db/functions/identity@v0.1.0.sql):
-- has_permission ignores retired roles, assign_role and revoke_role resolve a code to the tenant's custom role or a
-- system role. They are replaced here and not in the unreleased rework of functions/identity because that rework is
-- planned before schemas/identity/roles (whose columns they read); the revert puts back the @v0.1.0 versions.
-- Which tenant a call manages: a tenant's user manages its own tenant (from its user_account, never a parameter); a
-- platform user names the tenant (p_tenant_id) and must hold the permission there; the back office names it.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- guards --------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION identity.role_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM core.raise('IDENTITY_ROLE_NOT_EDITABLE', format('role %s: roles are retired, never deleted', OLD.code));
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.code IS DISTINCT FROM OLD.code OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id THEN
            PERFORM core.raise('IDENTITY_ROLE_NOT_EDITABLE', format('role %s: its code and tenant never change', OLD.code));
        END IF;
        IF OLD.status = 'RETIRED' AND NEW.status <> 'RETIRED' THEN
            PERFORM core.raise('IDENTITY_ROLE_RETIRED', format('role %s stays retired', OLD.code));
        END IF;
        RETURN NEW;
    END IF;
    -- INSERT: one code at a time across tenants, so that a system role and a custom role of the same code cannot be
    -- created at once (the unique index sees each tenant apart)
    PERFORM pg_advisory_xact_lock(hashtext('identity.role:' || NEW.code));
    IF EXISTS (SELECT 1 FROM identity.role r
                WHERE r.code = NEW.code AND (NEW.tenant_id IS NULL OR r.tenant_id IS NULL)) THEN
        PERFORM core.raise('IDENTITY_ROLE_CODE_TAKEN',
                           format('%s is %s role''s code', NEW.code,
                                  CASE WHEN NEW.tenant_id IS NULL THEN 'a custom' ELSE 'a system' END));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION identity.role_guard_trg() IS
'Trigger on identity.role, whoever writes: a custom role never takes a system role''s code nor a system role a custom
one''s (IDENTITY_ROLE_CODE_TAKEN; an advisory lock per code serializes creations); a role''s code and tenant never
change and roles are never deleted (IDENTITY_ROLE_NOT_EDITABLE); a retired role stays retired (IDENTITY_ROLE_RETIRED).';

CREATE OR REPLACE FUNCTION identity.role_assignment_role_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role        identity.role;
    v_user_tenant bigint;
BEGIN
    -- the role row locked FOR SHARE: retire_role (FOR UPDATE) waits for this assignment's transaction, then revokes it
    SELECT * INTO STRICT v_role FROM identity.role r WHERE r.id = NEW.role_id FOR SHARE;
    IF v_role.tenant_id IS NOT NULL THEN
        IF NEW.tenant_id IS DISTINCT FROM v_role.tenant_id THEN
            PERFORM core.raise('IDENTITY_ROLE_TENANT_MISMATCH',
                               format('role %s is of tenant %s, assigned in %s', v_role.code, v_role.tenant_id,
                                      coalesce(NEW.tenant_id::text, 'no tenant (platform-wide)')));
        END IF;
        SELECT u.tenant_id INTO v_user_tenant FROM identity.user_account u WHERE u.id = NEW.user_id;
        IF v_user_tenant IS DISTINCT FROM v_role.tenant_id AND v_user_tenant IS NOT NULL THEN
            PERFORM core.raise('IDENTITY_ROLE_TENANT_MISMATCH',
                               format('role %s is of tenant %s, user %s of tenant %s', v_role.code, v_role.tenant_id,
                                      NEW.user_id, v_user_tenant));
        END IF;
    END IF;
    IF NEW.revoked_at IS NULL AND v_role.status <> 'ACTIVE' THEN
        PERFORM core.raise('IDENTITY_ROLE_RETIRED', format('role %s', v_role.code));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION identity.role_assignment_role_trg() IS
'Trigger on identity.role_assignment, whoever writes: a custom role is assigned with its own tenant_id only, to a user of
that tenant or a platform user (IDENTITY_ROLE_TENANT_MISMATCH); an active assignment of a retired role is refused
(IDENTITY_ROLE_RETIRED). Locks the role FOR SHARE, so that an assignment and the role''s retirement serialize.';

CREATE TRIGGER role_guard BEFORE INSERT OR UPDATE OR DELETE ON identity.role
    FOR EACH ROW EXECUTE FUNCTION identity.role_guard_trg();
CREATE TRIGGER role_assignment_role BEFORE INSERT OR UPDATE ON identity.role_assignment
    FOR EACH ROW EXECUTE FUNCTION identity.role_assignment_role_trg();

-- which tenant, which role --------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION identity.role_admin_tenant(p_tenant_id bigint, VARIADIC p_permissions text[])
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor  identity.actor;
    v_tenant bigint := p_tenant_id;
BEGIN
    IF NOT identity.is_service() THEN
        v_actor := identity.require_user();
        IF v_actor.tenant_id IS NOT NULL THEN
            -- a tenant's user manages its own tenant: who it is decides, not the parameter
            IF p_tenant_id IS NOT NULL AND p_tenant_id <> v_actor.tenant_id THEN
                PERFORM core.raise('IDENTITY_TENANT_MISMATCH',
                                   format('user %s is of tenant %s, not %s', v_actor.user_id, v_actor.tenant_id, p_tenant_id));
            END IF;
            v_tenant := v_actor.tenant_id;
        END IF;
    END IF;
    IF v_tenant IS NULL THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_tenant_id: a platform user or the back office names the tenant');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM identity.tenant t WHERE t.id = v_tenant) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_TENANT', format('tenant %s', v_tenant));
    END IF;
    IF NOT identity.is_service() AND NOT EXISTS (
            SELECT 1 FROM unnest(p_permissions) p WHERE identity.has_permission(v_actor.user_id, p, v_tenant)) THEN
        PERFORM core.raise('IDENTITY_PERMISSION_DENIED',
                           format('permission %s in tenant %s', array_to_string(p_permissions, ' or '), v_tenant));
    END IF;
    RETURN v_tenant;
END
$$;
COMMENT ON FUNCTION identity.role_admin_tenant(bigint, text[]) IS
'The tenant whose roles the call manages, once the caller is allowed to: a tenant''s user its own tenant (p_tenant_id
NULL or the same, else IDENTITY_TENANT_MISMATCH); a platform user or the back office the tenant it names. The caller
must hold one of the permissions there (the back office passes). Internal. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_TENANT_MISMATCH, IDENTITY_INVALID_INPUT, IDENTITY_UNKNOWN_TENANT,
IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION identity.resolve_role(p_code text, p_tenant_id bigint)
RETURNS identity.role
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT r FROM identity.role r
         WHERE r.code = p_code AND (r.tenant_id IS NULL OR r.tenant_id = p_tenant_id)
         ORDER BY r.tenant_id NULLS LAST LIMIT 1);
COMMENT ON FUNCTION identity.resolve_role(text, bigint) IS
'The role a code names in a tenant: the tenant''s custom role of that code, else the system role (codes never clash, so
at most one matches); platform-wide (p_tenant_id NULL) only system roles. NULL when none. Internal.';

CREATE OR REPLACE FUNCTION identity.lock_custom_role(p_code text, p_tenant_id bigint)
RETURNS identity.role
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role identity.role;
BEGIN
    SELECT * INTO v_role FROM identity.role r WHERE r.code = p_code AND r.tenant_id = p_tenant_id FOR UPDATE;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM identity.role r WHERE r.code = p_code AND r.tenant_id IS NULL) THEN
            PERFORM core.raise('IDENTITY_ROLE_NOT_EDITABLE', format('%s is a system role', p_code));
        END IF;
        -- another tenant's role is as if absent
        PERFORM core.raise('IDENTITY_UNKNOWN_ROLE', format('role %s in tenant %s', p_code, p_tenant_id));
    END IF;
    RETURN v_role;
END
$$;
COMMENT ON FUNCTION identity.lock_custom_role(text, bigint) IS
'The tenant''s custom role of that code, locked FOR UPDATE. Internal. Errors: IDENTITY_ROLE_NOT_EDITABLE (a system
role), IDENTITY_UNKNOWN_ROLE (none in the tenant: another tenant''s role is as if absent).';

CREATE OR REPLACE FUNCTION identity.put_role_permissions(p_role_id bigint, p_tenant_id bigint, p_permissions text[])
RETURNS text[]
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor   identity.actor := identity.current_actor();
    v_service boolean := identity.is_service();
    v_bad     text;
    v_ids     bigint[];
BEGIN
    IF p_permissions IS NULL OR array_position(p_permissions, NULL) IS NOT NULL THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_permissions must be an array of permission codes (may be empty)');
    END IF;
    SELECT string_agg(DISTINCT w, ', ') INTO v_bad
      FROM unnest(p_permissions) w WHERE NOT EXISTS (SELECT 1 FROM identity.permission p WHERE p.code = w);
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_PERMISSION', v_bad);
    END IF;
    SELECT string_agg(DISTINCT p.code, ', ') INTO v_bad
      FROM identity.permission p WHERE p.code = ANY (p_permissions) AND NOT p.tenant_grantable;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('IDENTITY_PERMISSION_NOT_GRANTABLE', format('%s: only system roles hold it', v_bad));
    END IF;
    -- no escalation: a permission the role does not hold yet is granted only by a caller holding it in the tenant
    IF NOT v_service THEN
        SELECT string_agg(DISTINCT p.code, ', ') INTO v_bad
          FROM identity.permission p
         WHERE p.code = ANY (p_permissions)
           AND NOT EXISTS (SELECT 1 FROM identity.role_permission rp WHERE rp.role_id = p_role_id AND rp.permission_id = p.id)
           AND NOT identity.has_permission(v_actor.user_id, p.code, p_tenant_id);
        IF v_bad IS NOT NULL THEN
            PERFORM core.raise('IDENTITY_PERMISSION_NOT_GRANTABLE',
                               format('%s: the caller does not hold it in tenant %s', v_bad, p_tenant_id));
        END IF;
    END IF;
    v_ids := ARRAY(SELECT p.id FROM identity.permission p WHERE p.code = ANY (p_permissions) ORDER BY p.id);
    DELETE FROM identity.role_permission rp WHERE rp.role_id = p_role_id AND rp.permission_id <> ALL (v_ids);
    INSERT INTO identity.role_permission (role_id, permission_id)
    SELECT p_role_id, unnest(v_ids) ON CONFLICT DO NOTHING;
    RETURN ARRAY(SELECT p.code FROM identity.role_permission rp JOIN identity.permission p ON p.id = rp.permission_id
                  WHERE rp.role_id = p_role_id ORDER BY p.code);
END
$$;
COMMENT ON FUNCTION identity.put_role_permissions(bigint, bigint, text[]) IS
'Make a custom role''s permissions exactly the given set (added and removed rows audited); returns the set, sorted.
Every code must exist (IDENTITY_UNKNOWN_PERMISSION) and be tenant_grantable, and a permission the role does not hold yet
must be held by the caller in the tenant (back office excepted) (IDENTITY_PERMISSION_NOT_GRANTABLE). Internal.';

-- custom roles --------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION identity.create_role(p_code text, p_name text, p_description text DEFAULT '',
                                                p_permissions text[] DEFAULT '{}', p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'identity.manage_roles');
    v_id     bigint;
BEGIN
    IF p_code IS NULL OR p_code !~ '^[A-Z][A-Z0-9_]{1,62}$' THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_code must be 2-63 characters of A-Z, 0-9 and _, starting with a letter');
    END IF;
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_name must be 1-200 characters');
    END IF;
    IF length(p_description) > 2000 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_description must be at most 2000 characters');
    END IF;
    INSERT INTO identity.role (code, name, description, tenant_id)
    VALUES (p_code, btrim(p_name), coalesce(p_description, ''), v_tenant)
    ON CONFLICT (tenant_id, code) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('IDENTITY_ROLE_CODE_TAKEN', format('role %s in tenant %s', p_code, v_tenant));
    END IF;
    PERFORM identity.put_role_permissions(v_id, v_tenant, coalesce(p_permissions, '{}'));
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.create_role(text, text, text, text[], bigint) IS
'Create a custom role of the caller''s tenant (a platform user or the back office names p_tenant_id) with a code, a name,
a description and permissions; returns its id. Needs identity.manage_roles in that tenant. The code is unique in the
tenant (a retired role keeps it) and never a system role''s; every permission must be tenant_grantable and held by the
caller. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH, IDENTITY_INVALID_INPUT, IDENTITY_ROLE_CODE_TAKEN,
IDENTITY_UNKNOWN_PERMISSION, IDENTITY_PERMISSION_NOT_GRANTABLE.';

CREATE OR REPLACE FUNCTION identity.set_role_permissions(p_code text, p_permissions text[], p_tenant_id bigint DEFAULT NULL)
RETURNS text[]
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'identity.manage_roles');
    v_role   identity.role := identity.lock_custom_role(p_code, v_tenant);
BEGIN
    IF v_role.status <> 'ACTIVE' THEN
        PERFORM core.raise('IDENTITY_ROLE_RETIRED', format('role %s', p_code));
    END IF;
    RETURN identity.put_role_permissions(v_role.id, v_tenant, p_permissions);
END
$$;
COMMENT ON FUNCTION identity.set_role_permissions(text, text[], bigint) IS
'Replace the permissions of a custom role of the caller''s tenant; returns them, sorted. Its holders gain and lose them
at once. Needs identity.manage_roles there. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_UNKNOWN_ROLE (none in the
tenant), IDENTITY_ROLE_NOT_EDITABLE (a system role), IDENTITY_ROLE_RETIRED, IDENTITY_UNKNOWN_PERMISSION,
IDENTITY_PERMISSION_NOT_GRANTABLE.';

CREATE OR REPLACE FUNCTION identity.retire_role(p_code text, p_tenant_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := identity.role_admin_tenant(p_tenant_id, 'identity.manage_roles');
    v_role    identity.role := identity.lock_custom_role(p_code, v_tenant);
    v_revoked integer;
BEGIN
    IF v_role.status = 'RETIRED' THEN
        RETURN 0;
    END IF;
    UPDATE identity.role SET status = 'RETIRED', retired_at = now() WHERE id = v_role.id;
    UPDATE identity.role_assignment SET revoked_at = now() WHERE role_id = v_role.id AND revoked_at IS NULL;
    GET DIAGNOSTICS v_revoked = ROW_COUNT;
    RETURN v_revoked;
END
$$;
COMMENT ON FUNCTION identity.retire_role(text, bigint) IS
'Retire a custom role of the caller''s tenant (final): it grants nothing from now on, its active assignments are revoked
(audited) and it cannot be assigned again; returns how many assignments were revoked (0 when already retired). Needs
identity.manage_roles there. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_UNKNOWN_ROLE, IDENTITY_ROLE_NOT_EDITABLE.
Assumes READ COMMITTED: locks the role, so that an assignment being made meanwhile is revoked too or refused.';

CREATE OR REPLACE FUNCTION identity.list_roles(p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (code text, name text, description text, tenant_id bigint, is_system boolean, status text,
               permissions text[], active_assignments bigint, retired_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := identity.role_admin_tenant(p_tenant_id, 'identity.manage_roles', 'identity.manage_users');
BEGIN
    RETURN QUERY
    SELECT r.code, r.name, r.description, r.tenant_id, r.tenant_id IS NULL, r.status,
           ARRAY(SELECT p.code FROM identity.role_permission rp JOIN identity.permission p ON p.id = rp.permission_id
                  WHERE rp.role_id = r.id ORDER BY p.code),
           (SELECT count(*) FROM identity.role_assignment ra
             WHERE ra.role_id = r.id AND ra.revoked_at IS NULL AND ra.tenant_id = v_tenant),
           r.retired_at
      FROM identity.role r
     WHERE r.tenant_id IS NULL OR r.tenant_id = v_tenant
     ORDER BY r.tenant_id NULLS FIRST, r.code;
END
$$;
COMMENT ON FUNCTION identity.list_roles(bigint) IS
'The roles of the caller''s tenant: the system roles and the tenant''s custom roles (retired ones too), with their
permissions and how many active assignments each has in the tenant. Another tenant''s roles are never listed. Needs
identity.manage_roles or identity.manage_users there (a platform user names p_tenant_id).';

CREATE OR REPLACE FUNCTION identity.list_permissions()
RETURNS TABLE (code text, description text, tenant_grantable boolean)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT identity.is_service() THEN
        PERFORM identity.require_user();
    END IF;
    RETURN QUERY SELECT p.code, p.description, p.tenant_grantable FROM identity.permission p ORDER BY p.code;
END
$$;
COMMENT ON FUNCTION identity.list_permissions() IS
'The catalogue of permissions, with whether a tenant''s custom role may hold each (tenant_grantable). Any signed-in
user. Errors: IDENTITY_NOT_AUTHENTICATED.';

CREATE OR REPLACE FUNCTION identity.user_roles(p_user_id bigint)
RETURNS TABLE (assignment_id bigint, role_code text, role_name text, is_system boolean, tenant_id bigint,
               granted_at timestamptz, granted_by bigint, granted_by_name text, revoked_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user_tenant bigint;
BEGIN
    SELECT u.tenant_id INTO v_user_tenant FROM identity.user_account u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('user %s', p_user_id));
    END IF;
    IF identity.is_service() THEN
        NULL;   -- the back office reads anyone's
    ELSIF (identity.require_user()).user_id IS DISTINCT FROM p_user_id THEN
        PERFORM identity.require_permission('identity.manage_users', v_user_tenant);
    END IF;
    RETURN QUERY
    SELECT ra.id, r.code, r.name, r.tenant_id IS NULL, ra.tenant_id, ra.granted_at, ra.granted_by, g.display_name,
           ra.revoked_at
      FROM identity.role_assignment ra
      JOIN identity.role r ON r.id = ra.role_id
      LEFT JOIN identity.user_account g ON g.id = ra.granted_by
     WHERE ra.user_id = p_user_id
     ORDER BY ra.granted_at DESC, ra.id DESC
     LIMIT 500;
END
$$;
COMMENT ON FUNCTION identity.user_roles(bigint) IS
'A user''s role assignments, newest first (at most 500), revoked ones too: the role, the tenant it holds in, when and by
whom it was granted, when revoked. The user itself, or identity.manage_users in the user''s tenant (platform users:
platform-wide), or the back office. Errors: IDENTITY_UNKNOWN_USER, IDENTITY_PERMISSION_DENIED.';

-- replaced from functions/identity@v0.1.0 -----------------------------------------------------------------------------
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

CREATE OR REPLACE FUNCTION identity.assign_role(p_user_id bigint, p_role_code text, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor       identity.actor;
    v_role        identity.role;
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
    v_role := identity.resolve_role(p_role_code, p_tenant_id);   -- the tenant's custom role, else a system role
    IF v_role.id IS NULL THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ROLE', format('role %s', p_role_code));
    END IF;
    IF v_role.status <> 'ACTIVE' THEN
        PERFORM core.raise('IDENTITY_ROLE_RETIRED', format('role %s', p_role_code));
    END IF;
    IF p_tenant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM identity.tenant WHERE id = p_tenant_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_TENANT', format('tenant %s', p_tenant_id));
    END IF;
    INSERT INTO identity.role_assignment (user_id, role_id, tenant_id, granted_by)
    VALUES (p_user_id, v_role.id, p_tenant_id, v_actor.user_id)
    ON CONFLICT (user_id, role_id, coalesce(tenant_id, 0)) WHERE revoked_at IS NULL DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN   -- already assigned: idempotent
        SELECT id INTO v_id FROM identity.role_assignment
         WHERE user_id = p_user_id AND role_id = v_role.id AND coalesce(tenant_id, 0) = coalesce(p_tenant_id, 0)
           AND revoked_at IS NULL;
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.assign_role(bigint, text, bigint) IS
'Give a user a role, platform-wide or in one tenant; returns the assignment id (the existing one if already assigned).
Needs identity.manage_users (in that tenant). The code names the tenant''s custom role, else a system role (another
tenant''s custom role is unknown here). A role in a tenant goes only to a user of that tenant or to a platform user (no
tenant). Errors: IDENTITY_UNKNOWN_USER, IDENTITY_UNKNOWN_ROLE, IDENTITY_ROLE_RETIRED, IDENTITY_UNKNOWN_TENANT,
IDENTITY_TENANT_MISMATCH (and IDENTITY_ROLE_TENANT_MISMATCH from the database''s own guard).';

CREATE OR REPLACE FUNCTION identity.revoke_role(p_user_id bigint, p_role_code text, p_tenant_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_role identity.role;
    v_done boolean;
BEGIN
    PERFORM identity.require_permission('identity.manage_users', p_tenant_id);
    v_role := identity.resolve_role(p_role_code, p_tenant_id);
    IF v_role.id IS NULL THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ROLE', format('role %s', p_role_code));
    END IF;
    UPDATE identity.role_assignment ra SET revoked_at = now()
     WHERE ra.role_id = v_role.id AND ra.user_id = p_user_id
       AND coalesce(ra.tenant_id, 0) = coalesce(p_tenant_id, 0) AND ra.revoked_at IS NULL;
    GET DIAGNOSTICS v_done = ROW_COUNT;
    RETURN v_done;
END
$$;
COMMENT ON FUNCTION identity.revoke_role(bigint, text, bigint) IS
'Revoke a role assignment (sets revoked_at; rows are kept). Returns false when there was nothing to revoke. The code
names the tenant''s custom role, else a system role. Needs identity.manage_users (in that tenant).';

COMMIT;
