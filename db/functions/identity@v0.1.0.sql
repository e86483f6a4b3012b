-- Deploy mercato:functions/identity to pg
-- Who is calling (from request.jwt.claims, exactly as PostgREST sets it), permission checks,
-- and the administrative functions that create tenants and users and assign roles.

BEGIN;

CREATE TYPE identity.actor AS (
    subject   text,     -- the "sub" claim, NULL when absent
    user_id   bigint,   -- identity.user_account.id, NULL when the subject is unknown
    user_type text,
    tenant_id bigint,
    status    text,
    role      text,     -- the "role" claim (the database role PostgREST switched to)
    claims    jsonb
);
COMMENT ON TYPE identity.actor IS 'The caller of the current request, as resolved by identity.current_actor().';

CREATE FUNCTION identity.claims()
RETURNS jsonb
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_raw    text := current_setting('request.jwt.claims', true);
    v_claims jsonb;
BEGIN
    IF v_raw IS NULL OR v_raw = '' THEN
        RETURN '{}'::jsonb;
    END IF;
    BEGIN
        v_claims := v_raw::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        PERFORM core.raise('IDENTITY_CLAIMS_INVALID', 'request.jwt.claims is not valid JSON');
    END;
    IF jsonb_typeof(v_claims) <> 'object' THEN
        PERFORM core.raise('IDENTITY_CLAIMS_INVALID', format('request.jwt.claims is a JSON %s', jsonb_typeof(v_claims)));
    END IF;
    RETURN v_claims;
END
$$;
COMMENT ON FUNCTION identity.claims() IS
'The JWT claims of the current request: current_setting(''request.jwt.claims'') as jsonb, {} when unset.
PostgREST sets this setting per request (set_config(..., true)); the Python library and the tests set it the same way.';

CREATE FUNCTION identity.current_actor()
RETURNS identity.actor
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_claims jsonb := identity.claims();
    v_actor  identity.actor;
BEGIN
    v_actor.claims := v_claims;
    v_actor.subject := nullif(v_claims ->> 'sub', '');
    v_actor.role := v_claims ->> 'role';
    IF v_actor.subject IS NOT NULL THEN
        SELECT u.id, u.user_type, u.tenant_id, u.status
          INTO v_actor.user_id, v_actor.user_type, v_actor.tenant_id, v_actor.status
          FROM identity.user_account u
         WHERE u.auth_subject = v_actor.subject;
    END IF;
    RETURN v_actor;
END
$$;
COMMENT ON FUNCTION identity.current_actor() IS
'Who is calling: the one function every other function asks.
Reads request.jwt.claims ("sub" = identity.user_account.auth_subject, "role" = database role) and
returns the matching user (user_id NULL when the subject is missing or unknown). Never raises for an
anonymous caller; use identity.require_user() to insist on one.';

CREATE FUNCTION identity.current_user_id()
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (identity.current_actor()).user_id;
COMMENT ON FUNCTION identity.current_user_id() IS
'The id of the calling user, NULL when anonymous or unknown. Convenient in row-level security policies.';

CREATE FUNCTION identity.caller_role()
RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
COMMENT ON FUNCTION identity.caller_role() IS
'The database role of the request: the role PostgREST (or SET ROLE) switched to, else the login role.
Unlike current_user it is not changed by SECURITY DEFINER functions, so checks inside them see the real caller.';

CREATE FUNCTION identity.is_service()
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN pg_has_role(identity.caller_role(), 'mercato_service', 'USAGE');
COMMENT ON FUNCTION identity.is_service() IS
'True when the request runs as mercato_service (or a role that inherits it, or a superuser): trusted back-office jobs.
Uses identity.caller_role(), so it answers the same inside SECURITY DEFINER functions. The NOINHERIT
authenticator does not count until it switches role.';

CREATE FUNCTION identity.require_user()
RETURNS identity.actor
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.current_actor();
BEGIN
    IF v_actor.user_id IS NULL THEN
        PERFORM core.raise('IDENTITY_NOT_AUTHENTICATED',
                           CASE WHEN v_actor.subject IS NULL THEN 'no "sub" claim'
                                ELSE format('subject %s is not registered', v_actor.subject) END);
    END IF;
    IF v_actor.status <> 'ACTIVE' THEN
        PERFORM core.raise('IDENTITY_USER_INACTIVE', format('user %s is %s', v_actor.user_id, v_actor.status));
    END IF;
    RETURN v_actor;
END
$$;
COMMENT ON FUNCTION identity.require_user() IS
'The calling user, or IDENTITY_NOT_AUTHENTICATED (401) / IDENTITY_USER_INACTIVE (403).';

CREATE FUNCTION identity.has_permission(p_user_id bigint, p_permission text, p_tenant_id bigint DEFAULT NULL)
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

CREATE FUNCTION identity.require_permission(p_permission text, p_tenant_id bigint DEFAULT NULL)
RETURNS identity.actor
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    IF identity.is_service() THEN
        RETURN identity.current_actor();
    END IF;
    v_actor := identity.require_user();
    IF NOT identity.has_permission(v_actor.user_id, p_permission, p_tenant_id) THEN
        PERFORM core.raise('IDENTITY_PERMISSION_DENIED',
                           format('permission %s%s', p_permission,
                                  CASE WHEN p_tenant_id IS NULL THEN '' ELSE format(' in tenant %s', p_tenant_id) END));
    END IF;
    RETURN v_actor;
END
$$;
COMMENT ON FUNCTION identity.require_permission(text, bigint) IS
'Insist that the caller holds a permission (or is the service role); returns the actor.
Raises IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE or IDENTITY_PERMISSION_DENIED.';

CREATE FUNCTION identity.create_tenant(p_code text, p_name text, p_metadata jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM identity.require_permission('identity.manage_users');
    IF p_code IS NULL OR p_code !~ '^[a-z0-9][a-z0-9_-]{1,62}$' THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_code must be 2-63 characters of a-z, 0-9, _ and -');
    END IF;
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_name must be 1-200 characters');
    END IF;
    INSERT INTO identity.tenant (code, name, metadata)
    VALUES (p_code, btrim(p_name), coalesce(p_metadata, '{}'))
    ON CONFLICT (code) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('IDENTITY_TENANT_CODE_TAKEN', format('tenant code %s', p_code));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.create_tenant(text, text, jsonb) IS
'Create a tenant; returns its id. Needs identity.manage_users (or the service role).
Errors: IDENTITY_INVALID_INPUT, IDENTITY_TENANT_CODE_TAKEN.';

CREATE FUNCTION identity.register_user(
    p_auth_subject text,
    p_user_type    text,
    p_display_name text,
    p_tenant_id    bigint DEFAULT NULL,
    p_email        text DEFAULT NULL,
    p_phone        text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM identity.require_permission('identity.manage_users', p_tenant_id);
    IF p_auth_subject IS NULL OR length(p_auth_subject) NOT BETWEEN 1 AND 255 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_auth_subject must be 1-255 characters');
    END IF;
    IF p_user_type IS NULL OR p_user_type NOT IN ('ADMIN', 'BUSINESS', 'PROVIDER', 'CUSTOMER', 'MERCHANT', 'STAFF', 'SERVICE') THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT',
                           'p_user_type must be one of ADMIN, BUSINESS, PROVIDER, CUSTOMER, MERCHANT, STAFF, SERVICE');
    END IF;
    IF p_display_name IS NULL OR length(btrim(p_display_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_display_name must be 1-200 characters');
    END IF;
    IF p_email IS NOT NULL AND (p_email !~ '^[^@\s]+@[^@\s]+$' OR length(p_email) > 254) THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_email is not an email address');
    END IF;
    IF p_phone IS NOT NULL AND p_phone !~ '^\+[1-9][0-9]{6,14}$' THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_phone must be in E.164 form, e.g. +251911000000');
    END IF;
    IF p_tenant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM identity.tenant WHERE id = p_tenant_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_TENANT', format('tenant %s', p_tenant_id));
    END IF;
    INSERT INTO identity.user_account (auth_subject, user_type, display_name, tenant_id, email, phone)
    VALUES (p_auth_subject, p_user_type, btrim(p_display_name), p_tenant_id, p_email, p_phone)
    ON CONFLICT (auth_subject) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('IDENTITY_SUBJECT_TAKEN', format('subject %s', p_auth_subject));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.register_user(text, text, text, bigint, text, text) IS
'Register a user for an external auth subject; returns the user id. Needs identity.manage_users.
Errors: IDENTITY_INVALID_INPUT, IDENTITY_UNKNOWN_TENANT, IDENTITY_SUBJECT_TAKEN.';

CREATE FUNCTION identity.set_user_status(p_user_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint;
BEGIN
    SELECT tenant_id INTO v_tenant FROM identity.user_account WHERE id = p_user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('user %s', p_user_id));
    END IF;
    PERFORM identity.require_permission('identity.manage_users', v_tenant);
    IF p_status IS NULL OR p_status NOT IN ('ACTIVE', 'SUSPENDED', 'CLOSED') THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_status must be ACTIVE, SUSPENDED or CLOSED');
    END IF;
    UPDATE identity.user_account SET status = p_status, updated_at = now()
     WHERE id = p_user_id AND status <> p_status;
END
$$;
COMMENT ON FUNCTION identity.set_user_status(bigint, text) IS
'Suspend, close or reactivate a user (users are never deleted). Needs identity.manage_users.';

CREATE FUNCTION identity.assign_role(p_user_id bigint, p_role_code text, p_tenant_id bigint DEFAULT NULL)
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

CREATE FUNCTION identity.revoke_role(p_user_id bigint, p_role_code text, p_tenant_id bigint DEFAULT NULL)
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

-- API roles reach these through the api wrappers (SECURITY DEFINER). Only the row-level security helper
-- identity.current_user_id() and identity.current_actor(), which it calls as the querying role, are granted.
GRANT EXECUTE ON FUNCTION identity.current_actor(), identity.current_user_id() TO mercato_user, mercato_service;

COMMIT;
