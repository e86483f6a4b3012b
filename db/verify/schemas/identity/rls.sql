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

ROLLBACK;
