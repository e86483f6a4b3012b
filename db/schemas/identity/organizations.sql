-- Deploy mercato:schemas/identity/organizations to pg
-- Organizations (a business, a provider, later a merchant, vendor, retailer or franchise: every product's parties are
-- organizations of a kind) and their members, each with a role (OWNER, ADMIN, STAFF). Member and organization are of
-- the same tenant (composite foreign keys); every organization keeps at least one OWNER (functions/identity/organizations
-- holds the trigger that counts them). The kinds are a catalogue each product fills in: the kernel knows no product.

BEGIN;

-- A user's tenant as a non-null key (0: a platform user, who has no tenant), so that a membership can name its tenant in
-- composite foreign keys to both its user and its organization: NULL would switch the foreign key check off.
ALTER TABLE identity.user_account ADD COLUMN tenant_key bigint GENERATED ALWAYS AS (coalesce(tenant_id, 0)) STORED;
ALTER TABLE identity.user_account ADD CONSTRAINT user_account_id_tenant_key_key UNIQUE (id, tenant_key);
COMMENT ON COLUMN identity.user_account.tenant_key IS
'tenant_id, or 0 for a platform user: the non-null tenant key that identity.membership''s foreign keys compare.';

CREATE TABLE identity.organization_kind (
    code        text CONSTRAINT organization_kind_pkey PRIMARY KEY
                CONSTRAINT organization_kind_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
    description text NOT NULL CONSTRAINT organization_kind_description_check CHECK (description <> '')
);
COMMENT ON TABLE identity.organization_kind IS
'The kinds of organization: BUSINESS, PROVIDER, later MERCHANT, VENDOR, RETAILER, FRANCHISE.
Each product registers the kinds it uses from its own schema change (the rental product: schemas/parties); identity itself
seeds none.';

CREATE TABLE identity.organization (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT organization_pkey PRIMARY KEY,
    tenant_id   bigint CONSTRAINT organization_tenant_id_fkey REFERENCES identity.tenant (id),
    tenant_key  bigint GENERATED ALWAYS AS (coalesce(tenant_id, 0)) STORED,
    kind        text NOT NULL CONSTRAINT organization_kind_fkey REFERENCES identity.organization_kind (code),
    name        text NOT NULL CONSTRAINT organization_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 256),
    status      text NOT NULL DEFAULT 'ACTIVE'
                CONSTRAINT organization_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    owner_count integer NOT NULL DEFAULT 0 CONSTRAINT organization_owner_count_check CHECK (owner_count >= 0),
    metadata    jsonb NOT NULL DEFAULT '{}' CONSTRAINT organization_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organization_id_tenant_key_key UNIQUE (id, tenant_key)
);
COMMENT ON TABLE identity.organization IS
'An organization that users act for as its members: a business, a provider, a merchant...
Of one tenant (tenant_id NULL: platform-wide) and one kind (identity.organization_kind); neither ever changes. Only an
ACTIVE organization is acted for. owner_count is the number of ACTIVE OWNER memberships, kept by
identity.membership_owner_count_trg under this row''s lock; it never reaches 0 (IDENTITY_LAST_OWNER), and a new
organization has an OWNER by the end of its transaction (identity.organization_owner_check_trg). A product''s party row
points here (parties.business.organization_id).';
COMMENT ON COLUMN identity.organization.tenant_key IS
'tenant_id, or 0 when platform-wide: the non-null tenant key that identity.membership''s foreign keys compare.';
CREATE INDEX organization_tenant_id_idx ON identity.organization (tenant_id);

CREATE TABLE identity.membership (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT membership_pkey PRIMARY KEY,
    organization_id bigint NOT NULL,
    user_id         bigint NOT NULL,
    tenant_key      bigint NOT NULL,
    role            text NOT NULL CONSTRAINT membership_role_check CHECK (role IN ('OWNER', 'ADMIN', 'STAFF')),
    status          text NOT NULL DEFAULT 'ACTIVE' CONSTRAINT membership_status_check CHECK (status IN ('ACTIVE', 'REMOVED')),
    added_by        bigint CONSTRAINT membership_added_by_fkey REFERENCES identity.user_account (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT membership_organization_id_user_id_key UNIQUE (organization_id, user_id),
    -- the same tenant_key on both sides: a user belongs only to organizations of its own tenant
    CONSTRAINT membership_organization_id_fkey FOREIGN KEY (organization_id, tenant_key)
        REFERENCES identity.organization (id, tenant_key),
    CONSTRAINT membership_user_id_fkey FOREIGN KEY (user_id, tenant_key) REFERENCES identity.user_account (id, tenant_key)
);
COMMENT ON TABLE identity.membership IS
'A user''s membership of an organization, with its role there: OWNER, ADMIN or STAFF.
OWNER: everything, owners and admins included; ADMIN: awards, contracts, money, members below ADMIN; STAFF: day-to-day
work (docs/identity.md has the table). One row per user and organization; leaving sets status REMOVED (re-adding
reactivates the row). tenant_key is the tenant of both the user and the organization (composite foreign keys): never
across tenants. Organization and user never change (IDENTITY_ORG_FIXED); role and status change only through
functions/identity/organizations.';
COMMENT ON COLUMN identity.membership.tenant_key IS
'The tenant of the user and of the organization (0: platform-wide), equal on both sides by the two foreign keys.';
CREATE INDEX membership_user_id_idx ON identity.membership (user_id);

CREATE TRIGGER organization_audit AFTER INSERT OR DELETE OR UPDATE OF tenant_id, kind, name, status, metadata
    ON identity.organization FOR EACH ROW EXECUTE FUNCTION audit.track();   -- owner_count: the membership rows say it
CREATE TRIGGER membership_audit AFTER INSERT OR UPDATE OR DELETE ON identity.membership
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER organization_fixed BEFORE UPDATE OF tenant_id, kind ON identity.organization
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('IDENTITY_ORG_FIXED');
CREATE TRIGGER membership_fixed BEFORE UPDATE OF organization_id, user_id, tenant_key ON identity.membership
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('IDENTITY_ORG_FIXED');

REVOKE ALL ON identity.organization_kind, identity.organization, identity.membership FROM PUBLIC;
GRANT SELECT ON identity.organization, identity.membership TO mercato_service;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_UNKNOWN_ORGANIZATION', 'identity', 'PT404', 'no such organization',
 NULL, 'The organization does not exist, or the caller is no member of it (answered alike).'),
('IDENTITY_UNKNOWN_MEMBER', 'identity', 'PT404', 'the user is not a member of the organization',
 NULL, 'Changing the role of, or removing, a user without an active membership of the organization.'),
('IDENTITY_NOT_A_MEMBER', 'identity', 'PT403', 'the JWT claim "org" names an organization the caller does not act for',
 'send the id of one of your organizations (api.my_organizations), or no "org" claim',
 'The "org" claim selects the organization the caller acts for; it must be an ACTIVE organization of which the caller '
 'is an active member.'),
('IDENTITY_ORG_AMBIGUOUS', 'identity', 'PT400', 'the caller acts for several organizations of this kind',
 'send the JWT claim "org" with the id of the organization to act for (api.my_organizations lists them)',
 'No "org" claim and more than one active membership of the kind the call needs (e.g. two businesses).'),
('IDENTITY_ORG_CLAIM_INVALID', 'identity', 'PT400', 'the JWT claim "org" is not an organization id',
 NULL, 'The "org" claim must be a positive integer, as a JSON number or a string of digits.'),
('IDENTITY_ORG_INACTIVE', 'identity', 'PT403', 'the organization is suspended or closed',
 NULL, 'The "org" claim names an organization that is not ACTIVE: nobody acts for it.'),
('IDENTITY_ORG_ROLE_REQUIRED', 'identity', 'PT403', 'the caller''s role in the organization is too low for this',
 NULL, 'The detail names the role the action needs (STAFF < ADMIN < OWNER) and the caller''s.'),
('IDENTITY_LAST_OWNER', 'identity', 'PT409', 'an organization keeps at least one OWNER',
 'make another member OWNER first', 'Demoting or removing the last active OWNER, or creating an organization without one.'),
('IDENTITY_ALREADY_MEMBER', 'identity', 'PT409', 'the user is already a member of the organization',
 'change the member''s role instead', 'Adding a user who already holds an active membership.'),
('IDENTITY_ORG_FIXED', 'identity', 'PT409', 'an organization''s kind and tenant, and a membership''s organization and user, never change',
 NULL, 'Guard trigger on identity.organization (tenant_id, kind) and identity.membership (organization_id, user_id).');

COMMIT;
