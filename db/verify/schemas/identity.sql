-- Verify mercato:schemas/identity on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT id, code, name, status, metadata, created_at, updated_at FROM identity.tenant WHERE false;
SELECT id, auth_subject, tenant_id, user_type, display_name, email, phone, status, metadata, created_at, updated_at
  FROM identity.user_account WHERE false;
SELECT id, code, name, description FROM identity.role WHERE false;
SELECT id, code, description FROM identity.permission WHERE false;
SELECT role_id, permission_id FROM identity.role_permission WHERE false;
SELECT id, user_id, role_id, tenant_id, granted_at, granted_by, revoked_at FROM identity.role_assignment WHERE false;
SELECT 'identity.user_account_tenant_id_idx'::regclass, 'identity.role_assignment_active_key'::regclass;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = 'audit.track()'::regprocedure
               AND t.tgenabled <> 'D')::int
  FROM (VALUES ('tenant_audit', 'identity.tenant'::regclass), ('user_account_audit', 'identity.user_account'::regclass),
               ('role_assignment_audit', 'identity.role_assignment'::regclass)) AS g(name, rel);
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['IDENTITY_NOT_AUTHENTICATED', 'IDENTITY_CLAIMS_INVALID', 'IDENTITY_USER_INACTIVE',
                    'IDENTITY_PERMISSION_DENIED', 'IDENTITY_UNKNOWN_USER', 'IDENTITY_UNKNOWN_ROLE', 'IDENTITY_UNKNOWN_TENANT',
                    'IDENTITY_SUBJECT_TAKEN', 'IDENTITY_TENANT_CODE_TAKEN', 'IDENTITY_INVALID_INPUT',
                    'IDENTITY_TENANT_MISMATCH']) AS c;

-- privileges: the back office reads every table, but no API role the auth subject (core.secret); anonymous callers
-- read nothing; none writes
SELECT 1 / pg_catalog.has_schema_privilege(r, 'identity', 'USAGE')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / pg_catalog.has_table_privilege('mercato_service', t, 'SELECT')::int
  FROM unnest(ARRAY['identity.tenant', 'identity.role', 'identity.permission', 'identity.role_permission',
                    'identity.role_assignment']) AS t;
SELECT 1 / pg_catalog.has_column_privilege('mercato_service', 'identity.user_account', c, 'SELECT')::int
  FROM unnest(ARRAY['id', 'tenant_id', 'user_type', 'display_name', 'email', 'phone', 'status', 'metadata', 'created_at',
                    'updated_at']) AS c;
SELECT 1 / (NOT pg_catalog.has_column_privilege(r, 'identity.user_account', 'auth_subject', 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_any_column_privilege('mercato_anon', t, 'SELECT'))::int
  FROM unnest(ARRAY['identity.tenant', 'identity.user_account', 'identity.role', 'identity.permission',
                    'identity.role_permission', 'identity.role_assignment']) AS t;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['identity.tenant', 'identity.user_account', 'identity.role', 'identity.permission',
                    'identity.role_permission', 'identity.role_assignment']) AS t;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its declared secrets
SELECT 1 / (SELECT count(*) FROM core.secret s
             WHERE (s.table_schema, s.table_name, s.column_name) IS NOT DISTINCT FROM (x.s, x.t, x.c))::int
  FROM (VALUES ('identity', 'user_account', 'auth_subject')) AS x(s, t, c);

ROLLBACK;
