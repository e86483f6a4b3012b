-- Verify mercato:schemas/identity/organizations on pg

BEGIN;

SELECT id, tenant_key FROM identity.user_account WHERE false;
SELECT code, description FROM identity.organization_kind WHERE false;
SELECT id, tenant_id, tenant_key, kind, name, status, owner_count, metadata, created_at, updated_at
  FROM identity.organization WHERE false;
SELECT id, organization_id, user_id, tenant_key, role, status, added_by, created_at, updated_at
  FROM identity.membership WHERE false;
SELECT 1 / (NOT has_table_privilege('mercato_anon', 'identity.membership', 'SELECT'))::int;
SELECT 1 / (count(*) = 10)::int FROM core.error WHERE code IN ('IDENTITY_UNKNOWN_ORGANIZATION', 'IDENTITY_UNKNOWN_MEMBER',
    'IDENTITY_NOT_A_MEMBER', 'IDENTITY_ORG_AMBIGUOUS', 'IDENTITY_ORG_CLAIM_INVALID', 'IDENTITY_ORG_INACTIVE',
    'IDENTITY_ORG_ROLE_REQUIRED', 'IDENTITY_LAST_OWNER', 'IDENTITY_ALREADY_MEMBER', 'IDENTITY_ORG_FIXED');

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- the relations it grants to API roles
SELECT 1 / pg_catalog.has_table_privilege(x.role, x.t, x.priv)::int
  FROM (VALUES ('identity.membership', 'mercato_service', 'SELECT'),
               ('identity.organization', 'mercato_service', 'SELECT')) AS x(t, role, priv);
-- its triggers, each present and enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = x.tab::regclass AND t.tgname = x.name AND t.tgenabled <> 'D')::int
  FROM (VALUES ('identity.membership', 'membership_audit'),
               ('identity.membership', 'membership_fixed'),
               ('identity.organization', 'organization_audit'),
               ('identity.organization', 'organization_fixed')) AS x(tab, name);

ROLLBACK;
