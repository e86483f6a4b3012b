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

ROLLBACK;
