-- Verify mercato:schemas/identity/roles on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing column or relation, a failed
-- cast) or wrongly granted (division by zero).

BEGIN;

SELECT tenant_id, status, retired_at FROM identity.role WHERE false;
SELECT tenant_grantable FROM identity.permission WHERE false;
SELECT 'identity.role_tenant_id_code_key'::regclass, 'identity.role_assignment_role_id_idx'::regclass;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k
             WHERE k.conrelid = 'identity.role'::regclass AND k.conname = c AND k.convalidated)::int
  FROM unnest(ARRAY['role_tenant_id_fkey', 'role_status_check', 'role_retired_at_check', 'role_name_check',
                    'role_description_check']) AS c;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = 'audit.track()'::regprocedure
               AND t.tgenabled <> 'D')::int
  FROM (VALUES ('role_audit', 'identity.role'::regclass), ('permission_audit', 'identity.permission'::regclass),
               ('role_permission_audit', 'identity.role_permission'::regclass)) AS g(name, rel);
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['IDENTITY_ROLE_CODE_TAKEN', 'IDENTITY_ROLE_NOT_EDITABLE', 'IDENTITY_PERMISSION_NOT_GRANTABLE',
                    'IDENTITY_ROLE_RETIRED', 'IDENTITY_UNKNOWN_PERMISSION', 'IDENTITY_ROLE_TENANT_MISMATCH']) AS c;
-- no API role reads or writes the catalogue but the back office, which reads it
SELECT 1 / (NOT pg_catalog.has_any_column_privilege(r, t, 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user']) AS r,
       unnest(ARRAY['identity.role', 'identity.permission', 'identity.role_permission']) AS t;

ROLLBACK;
