-- Deploy mercato:functions/api/identity to pg
-- The HTTP API of identity and masterdata: who am I, user administration, organizations and their members, public
-- reference data, settings and policy versions.

BEGIN;

CREATE FUNCTION api.me()
RETURNS TABLE (user_id bigint, subject text, user_type text, display_name text, tenant_id bigint, status text,
               business_id bigint, provider_id bigint, permissions text[], organizations jsonb)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    RETURN QUERY
    SELECT u.id, u.auth_subject, u.user_type, u.display_name, u.tenant_id, u.status,
           parties.my_business_id(),
           parties.my_provider_id(),
           ARRAY(SELECT DISTINCT pm.code FROM identity.role_assignment ra
                   JOIN identity.role_permission rp ON rp.role_id = ra.role_id
                   JOIN identity.permission pm ON pm.id = rp.permission_id
                  WHERE ra.user_id = u.id AND ra.revoked_at IS NULL ORDER BY pm.code),
           (SELECT coalesce(jsonb_agg(jsonb_build_object('organization_id', o.organization_id, 'kind', o.kind, 'name', o.name,
                                                         'status', o.status, 'role', o.role) ORDER BY o.organization_id), '[]')
              FROM identity.my_organizations() o)
      FROM identity.user_account u
     WHERE u.id = v_actor.user_id;
END
$$;
COMMENT ON FUNCTION api.me() IS
'Who am I: the calling user (from the JWT "sub"), whom it acts for, its permissions and organizations.
business_id and provider_id are the business and provider it acts for (NULL when none, or several and no "org" claim);
organizations lists its memberships with its role in each. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE.';

CREATE FUNCTION api.register_user(
    p_auth_subject core.name_text, p_user_type core.name_text, p_display_name core.name_text, p_tenant_id bigint DEFAULT NULL,
    p_email core.name_text DEFAULT NULL, p_phone core.name_text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.register_user(p_auth_subject, p_user_type, p_display_name, p_tenant_id, p_email, p_phone);
SELECT core.wrap('api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text)', 'identity.register_user(text, text, text, bigint, text, text)',
                 'Admin (identity.manage_users).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.create_tenant(p_code core.name_text, p_name core.name_text, p_metadata core.json_doc DEFAULT '{}')
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.create_tenant(p_code, p_name, p_metadata);
SELECT core.wrap('api.create_tenant(core.name_text, core.name_text, core.json_doc)', 'identity.create_tenant(text, text, jsonb)',
                 'Admin.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.set_user_status(p_user_id bigint, p_status core.name_text)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.set_user_status(p_user_id, p_status);
END;
SELECT core.wrap('api.set_user_status(bigint, core.name_text)', 'identity.set_user_status(bigint, text)',
                 'Admin (identity.manage_users).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.assign_role(p_user_id bigint, p_role_code core.name_text, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.assign_role(p_user_id, p_role_code, p_tenant_id);
SELECT core.wrap('api.assign_role(bigint, core.name_text, bigint)', 'identity.assign_role(bigint, text, bigint)',
                 'Admin (identity.manage_users).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.revoke_role(p_user_id bigint, p_role_code core.name_text, p_tenant_id bigint DEFAULT NULL)
RETURNS boolean
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.revoke_role(p_user_id, p_role_code, p_tenant_id);
SELECT core.wrap('api.revoke_role(bigint, core.name_text, bigint)', 'identity.revoke_role(bigint, text, bigint)',
                 'Admin (identity.manage_users).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.my_organizations()
RETURNS TABLE (organization_id bigint, kind text, name text, status text, role text, member_since timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.my_organizations();
END;
SELECT core.wrap('api.my_organizations()', 'identity.my_organizations()',
                 'Any user.', 'mercato_user');

CREATE FUNCTION api.organization_members(p_organization_id bigint)
RETURNS TABLE (user_id bigint, display_name text, user_type text, role text, member_since timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.organization_members(p_organization_id);
END;
SELECT core.wrap('api.organization_members(bigint)', 'identity.organization_members(bigint)',
                 'Its members; admin (identity.manage_users); back office.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.add_member(p_organization_id bigint, p_user_id bigint DEFAULT NULL, p_subject core.name_text DEFAULT NULL,
                               p_role core.name_text DEFAULT 'STAFF')
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.add_member(p_organization_id, p_user_id, p_subject, p_role);
SELECT core.wrap('api.add_member(bigint, bigint, core.name_text, core.name_text)', 'identity.add_member(bigint, bigint, text, text)',
                 'Its ADMINs (STAFF) and OWNERs; admin; back office.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.set_member_role(p_organization_id bigint, p_user_id bigint, p_role core.name_text)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.set_member_role(p_organization_id, p_user_id, p_role);
END;
SELECT core.wrap('api.set_member_role(bigint, bigint, core.name_text)', 'identity.set_member_role(bigint, bigint, text)',
                 'Its ADMINs (among STAFF) and OWNERs; admin; back office.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.remove_member(p_organization_id bigint, p_user_id bigint)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.remove_member(p_organization_id, p_user_id);
END;
SELECT core.wrap('api.remove_member(bigint, bigint)', 'identity.remove_member(bigint, bigint)',
                 'The member itself; its ADMINs (STAFF) and OWNERs; admin; back office.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.set_organization_status(p_organization_id bigint, p_status core.name_text)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.set_organization_status(p_organization_id, p_status);
END;
SELECT core.wrap('api.set_organization_status(bigint, core.name_text)', 'identity.set_organization_status(bigint, text)',
                 'Admin (identity.manage_users).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.currencies()
RETURNS TABLE (code text, name text, minor_units smallint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.code::text, c.name, c.minor_units FROM masterdata.currency c WHERE c.is_active ORDER BY c.code;
END;
COMMENT ON FUNCTION api.currencies() IS
'Active currencies and their minor units (how many decimals an amount may have). Public.';

CREATE FUNCTION api.lookups(p_type core.name_text)
RETURNS TABLE (code text, value text, metadata jsonb)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.code, l.value, l.metadata
      FROM masterdata.lookup l JOIN masterdata.lookup_type t ON t.id = l.lookup_type_id
     WHERE t.code = p_type AND l.is_active AND t.is_active
     ORDER BY l.sort_order, l.code;
END;
COMMENT ON FUNCTION api.lookups(core.name_text) IS
'Active values of a lookup type (e.g. VEHICLE_TYPE, ENGINE_TYPE, CONTRACT_PERIOD), in display order. Public.
An unknown type gives no rows.';

CREATE FUNCTION api.set_setting(p_key core.name_text, p_value core.long_text)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT masterdata.set_setting(p_key, p_value);
END;
SELECT core.wrap('api.set_setting(core.name_text, core.long_text)', 'masterdata.set_setting(text, text)',
                 'Admin (masterdata.manage).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.add_policy_version(p_policy_code core.name_text, p_effective_from core.finite_timestamptz, p_body core.json_doc, p_note core.long_text DEFAULT '')
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN masterdata.add_policy_version(p_policy_code, p_effective_from, p_body, p_note);
SELECT core.wrap('api.add_policy_version(core.name_text, core.finite_timestamptz, core.json_doc, core.long_text)', 'masterdata.add_policy_version(text, timestamptz, jsonb, text)',
                 'Admin (masterdata.manage).', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.policy_in_force(p_policy_code core.name_text, p_at core.finite_timestamptz DEFAULT now())
RETURNS TABLE (id bigint, policy_code text, version integer, effective_from timestamptz, effective_to timestamptz, body jsonb)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT v.id, v.policy_code, v.version, v.effective_from, v.effective_to, v.body
      FROM masterdata.policy_in_force(p_policy_code, p_at) v;
END;
SELECT core.wrap('api.policy_in_force(core.name_text, core.finite_timestamptz)', 'masterdata.policy_in_force(text, timestamptz)',
                 'Authenticated callers.', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.current_actor()
RETURNS identity.actor
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.current_actor();
SELECT core.wrap('api.current_actor()', 'identity.current_actor()',
                 'Anyone (an anonymous caller gets no user).', 'mercato_anon', 'mercato_user', 'mercato_service');

CREATE FUNCTION api.setting_number(p_key core.name_text)
RETURNS numeric
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_number(p_key);
SELECT core.wrap('api.setting_number(core.name_text)', 'masterdata.setting_number(text)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.setting_text(p_key core.name_text)
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_text(p_key);
SELECT core.wrap('api.setting_text(core.name_text)', 'masterdata.setting_text(text)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.setting_bool(p_key core.name_text)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_bool(p_key);
SELECT core.wrap('api.setting_bool(core.name_text)', 'masterdata.setting_bool(text)',
                 'Back office: mercato_service only.', 'mercato_service');

CREATE FUNCTION api.setting_json(p_key core.name_text)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_json(p_key);
SELECT core.wrap('api.setting_json(core.name_text)', 'masterdata.setting_json(text)',
                 'Back office: mercato_service only.', 'mercato_service');

GRANT EXECUTE ON FUNCTION api.currencies(), api.lookups(core.name_text) TO mercato_anon, mercato_user, mercato_service;
GRANT EXECUTE ON FUNCTION api.me() TO mercato_user;

COMMIT;
