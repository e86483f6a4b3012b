-- Revert mercato:schemas/identity/organizations from pg

BEGIN;

DROP TABLE identity.membership, identity.organization, identity.organization_kind;
ALTER TABLE identity.user_account DROP CONSTRAINT user_account_id_tenant_key_key;
ALTER TABLE identity.user_account DROP COLUMN tenant_key;
DELETE FROM core.error WHERE code IN ('IDENTITY_UNKNOWN_ORGANIZATION', 'IDENTITY_UNKNOWN_MEMBER', 'IDENTITY_NOT_A_MEMBER',
    'IDENTITY_ORG_AMBIGUOUS', 'IDENTITY_ORG_CLAIM_INVALID', 'IDENTITY_ORG_INACTIVE', 'IDENTITY_ORG_ROLE_REQUIRED',
    'IDENTITY_LAST_OWNER', 'IDENTITY_ALREADY_MEMBER', 'IDENTITY_ORG_FIXED');

COMMIT;
