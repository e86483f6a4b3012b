-- Deploy mercato:functions/api/roles to pg
-- The HTTP API of custom roles (issue 17): list the roles and permissions of the caller's tenant, create a role, set its
-- permissions, retire it, and a user's role assignments. api.assign_role / api.revoke_role (functions/api/identity)
-- take custom codes as they are (identity.assign_role resolves them, functions/identity/roles).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.list_roles(p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (code text, name text, description text, tenant_id bigint, is_system boolean, status text,
               permissions text[], active_assignments bigint, retired_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.list_roles(p_tenant_id);
END;
SELECT core.wrap('api.list_roles(bigint)', 'identity.list_roles(bigint)',
                 'Tenant admins (identity.manage_roles or identity.manage_users in the tenant); back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.list_permissions()
RETURNS TABLE (code text, description text, tenant_grantable boolean)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.list_permissions();
END;
SELECT core.wrap('api.list_permissions()', 'identity.list_permissions()', 'Any user; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.create_role(p_code core.name_text, p_name core.name_text,
                                           p_description core.long_text DEFAULT '',
                                           p_permissions core.text_list DEFAULT '{}', p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.create_role(p_code, p_name, p_description, p_permissions, p_tenant_id);
SELECT core.wrap('api.create_role(core.name_text, core.name_text, core.long_text, core.text_list, bigint)',
                 'identity.create_role(text, text, text, text[], bigint)',
                 'Tenant admins (identity.manage_roles in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_role_permissions(p_code core.name_text, p_permissions core.text_list,
                                                    p_tenant_id bigint DEFAULT NULL)
RETURNS text[]
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.set_role_permissions(p_code, p_permissions, p_tenant_id);
SELECT core.wrap('api.set_role_permissions(core.name_text, core.text_list, bigint)',
                 'identity.set_role_permissions(text, text[], bigint)',
                 'Tenant admins (identity.manage_roles in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.retire_role(p_code core.name_text, p_tenant_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.retire_role(p_code, p_tenant_id);
SELECT core.wrap('api.retire_role(core.name_text, bigint)', 'identity.retire_role(text, bigint)',
                 'Tenant admins (identity.manage_roles in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.user_roles(p_user_id bigint)
RETURNS TABLE (assignment_id bigint, role_code text, role_name text, is_system boolean, tenant_id bigint,
               granted_at timestamptz, granted_by bigint, granted_by_name text, revoked_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.user_roles(p_user_id);
END;
SELECT core.wrap('api.user_roles(bigint)', 'identity.user_roles(bigint)',
                 'The user itself; admins (identity.manage_users in its tenant); back office.',
                 'mercato_user', 'mercato_service');

COMMIT;
