-- Verify mercato:schemas/identity/rls on pg

BEGIN;

SELECT 'identity.my_tenant_id()'::regprocedure;
SELECT 'identity.my_organization_ids()'::regprocedure;
SELECT 1 / has_function_privilege('mercato_user', 'identity.my_tenant_id()', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('mercato_user', 'identity.my_organization_ids()', 'EXECUTE')::int;
-- every table of the schema has row-level security on, and mercato_user may read it (user_account: some columns)
SELECT 1 / (count(*) FILTER (WHERE c.relrowsecurity AND has_any_column_privilege('mercato_user', c.oid, 'SELECT')) = 5)::int
  FROM pg_class c WHERE c.oid IN ('identity.tenant'::regclass, 'identity.user_account'::regclass, 'identity.role_assignment'::regclass,
                                  'identity.organization'::regclass, 'identity.membership'::regclass);
SELECT 1 / (SELECT relrowsecurity FROM pg_class WHERE oid = 'identity.organization_kind'::regclass)::int;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- the routines it grants to API roles
SELECT 1 / pg_catalog.has_function_privilege(x.role, x.f, 'EXECUTE')::int
  FROM (VALUES ('identity.my_tenant_id()', 'mercato_service')) AS x(f, role);
-- its policies
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.tab::regclass AND p.polname = x.name)::int
  FROM (VALUES ('identity.membership', 'membership_member'),
               ('identity.membership', 'membership_service'),
               ('identity.organization', 'organization_member'),
               ('identity.organization', 'organization_service'),
               ('identity.role_assignment', 'role_assignment_own'),
               ('identity.role_assignment', 'role_assignment_service'),
               ('identity.tenant', 'tenant_own'),
               ('identity.tenant', 'tenant_service'),
               ('identity.user_account', 'user_account_own'),
               ('identity.user_account', 'user_account_service')) AS x(tab, name);

ROLLBACK;
