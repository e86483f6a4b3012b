-- Deploy mercato:schemas/parties to pg
-- Movello's parties (rental product): businesses (KYB) and providers (verification, trust score, tier), and the
-- history of every trust-score and tier change with its inputs. Each business and provider is an organization of the
-- kernel (identity.organization, kinds BUSINESS and PROVIDER registered here) whose members act for it.
-- Their vehicles and insurance are in schema fleet.

BEGIN;

CREATE SCHEMA parties;
COMMENT ON SCHEMA parties IS 'The rental product''s parties: businesses that rent, providers that let vehicles, their trust scores and tiers.';
GRANT USAGE ON SCHEMA parties TO mercato_anon, mercato_user, mercato_service;

-- the organization kinds of the rental product (identity seeds none: the kernel knows no product)
INSERT INTO identity.organization_kind (code, description) VALUES
('BUSINESS', 'A business that rents vehicles (parties.business).'),
('PROVIDER', 'A provider that lets vehicles (parties.provider).')
ON CONFLICT (code) DO NOTHING;   -- kept by a revert while organizations of the kind remain

CREATE TABLE parties.business (
    id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT business_pkey PRIMARY KEY,
    user_id           bigint NOT NULL CONSTRAINT business_user_id_fkey REFERENCES identity.user_account (id)
                      CONSTRAINT business_user_id_key UNIQUE,
    organization_id   bigint NOT NULL CONSTRAINT business_organization_id_fkey REFERENCES identity.organization (id)
                      CONSTRAINT business_organization_id_key UNIQUE,
    tenant_id         bigint CONSTRAINT business_tenant_id_fkey REFERENCES identity.tenant (id),
    name              text NOT NULL CONSTRAINT business_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 256),
    business_type     text NOT NULL CONSTRAINT business_business_type_check CHECK (length(btrim(business_type)) BETWEEN 1 AND 64),
    tin_number        text CONSTRAINT business_tin_number_check CHECK (tin_number ~ '^[A-Za-z0-9-]{4,64}$'),
    kyb_status        text NOT NULL DEFAULT 'PENDING_KYB'
                      CONSTRAINT business_kyb_status_check CHECK (kyb_status IN ('PENDING_KYB', 'VERIFIED', 'REJECTED', 'SUSPENDED')),
    tier_code         text NOT NULL DEFAULT 'STANDARD' CONSTRAINT business_tier_code_fkey REFERENCES masterdata.business_tier (code),
    tier_since        timestamptz NOT NULL DEFAULT now(),
    wallet_account_id bigint CONSTRAINT business_wallet_account_id_fkey REFERENCES ledger.account (id),
    metadata          jsonb NOT NULL DEFAULT '{}' CONSTRAINT business_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE parties.business IS
'A business that rents vehicles (the buying side): an organization of kind BUSINESS whose members act for it.
organization_id is its identity.organization; its members act for it, each within its role (identity.membership).
user_id is the user who registered it (its first OWNER; one business or provider per registering user). kyb_status
gates publishing RFQs; tier_code (from parties.recalculate_tiers) sets the monthly RFQ quota; wallet_account_id is its
MAIN ledger account.';
CREATE INDEX business_tenant_id_idx ON parties.business (tenant_id);

CREATE TABLE parties.provider (
    id                  bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT provider_pkey PRIMARY KEY,
    user_id             bigint NOT NULL CONSTRAINT provider_user_id_fkey REFERENCES identity.user_account (id)
                        CONSTRAINT provider_user_id_key UNIQUE,
    organization_id     bigint NOT NULL CONSTRAINT provider_organization_id_fkey REFERENCES identity.organization (id)
                        CONSTRAINT provider_organization_id_key UNIQUE,
    tenant_id           bigint CONSTRAINT provider_tenant_id_fkey REFERENCES identity.tenant (id),
    provider_type       text NOT NULL CONSTRAINT provider_provider_type_check CHECK (provider_type IN ('INDIVIDUAL', 'AGENT', 'COMPANY')),
    name                text NOT NULL CONSTRAINT provider_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 256),
    tin_number          text CONSTRAINT provider_tin_number_check CHECK (tin_number ~ '^[A-Za-z0-9-]{4,64}$'),
    verification_status text NOT NULL DEFAULT 'PENDING_VERIFICATION'
                        CONSTRAINT provider_verification_status_check
                        CHECK (verification_status IN ('PENDING_VERIFICATION', 'VERIFIED', 'REJECTED', 'SUSPENDED')),
    trust_score         smallint NOT NULL DEFAULT 50 CONSTRAINT provider_trust_score_check CHECK (trust_score BETWEEN 0 AND 100),
    tier_code           text NOT NULL DEFAULT 'BRONZE' CONSTRAINT provider_tier_code_fkey REFERENCES masterdata.provider_tier (code),
    tier_since          timestamptz NOT NULL DEFAULT now(),
    wallet_account_id   bigint CONSTRAINT provider_wallet_account_id_fkey REFERENCES ledger.account (id),
    metadata            jsonb NOT NULL DEFAULT '{}' CONSTRAINT provider_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE parties.provider IS
'A vehicle provider (the selling side): an individual, an agent or a company; an organization of kind PROVIDER.
organization_id is its identity.organization, whose members act for it; user_id is the user who registered it (its first
OWNER). Only VERIFIED providers bid. trust_score (0-100) moves with delivery outcomes; tier_code follows trust and active fleet
and decides the commission rate; wallet_account_id is its MAIN ledger account, credited by settlement.';
CREATE INDEX provider_tenant_id_idx ON parties.provider (tenant_id);

CREATE TABLE parties.trust_score_event (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT trust_score_event_pkey PRIMARY KEY,
    provider_id bigint NOT NULL CONSTRAINT trust_score_event_provider_id_fkey REFERENCES parties.provider (id),
    target      smallint NOT NULL CONSTRAINT trust_score_event_target_check CHECK (target BETWEEN 0 AND 100),
    old_score   smallint CONSTRAINT trust_score_event_old_score_check CHECK (old_score BETWEEN 0 AND 100),
    new_score   smallint CONSTRAINT trust_score_event_new_score_check CHECK (new_score BETWEEN 0 AND 100),
    reason      text NOT NULL CONSTRAINT trust_score_event_reason_check CHECK (reason ~ '^[A-Z][A-Z0-9_]*$'),
    inputs      jsonb NOT NULL DEFAULT '{}' CONSTRAINT trust_score_event_inputs_check CHECK (jsonb_typeof(inputs) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    applied_at  timestamptz,
    CONSTRAINT trust_score_event_applied_check
        CHECK ((applied_at IS NULL) = (old_score IS NULL) AND (applied_at IS NULL) = (new_score IS NULL))
);
COMMENT ON TABLE parties.trust_score_event IS
'Every outcome that moves a provider''s trust score (e.g. DELIVERED_ON_TIME, RETURN_COMPLETED), with the target it
pulls the score towards and the inputs of the calculation. Recorded at once by the outcome (a pending event:
old_score, new_score and applied_at NULL) and folded into parties.provider.trust_score in id order by
parties.fold_trust_events (the tier job and parties.apply_trust_events), which fills in old_score, new_score and
applied_at. Append-only apart from that one fold.';
CREATE INDEX trust_score_event_provider_id_idx ON parties.trust_score_event (provider_id, id);
CREATE INDEX trust_score_event_pending_idx ON parties.trust_score_event (provider_id, id) WHERE applied_at IS NULL;

CREATE TABLE parties.tier_change (
    id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT tier_change_pkey PRIMARY KEY,
    party_type        text NOT NULL CONSTRAINT tier_change_party_type_check CHECK (party_type IN ('PROVIDER', 'BUSINESS')),
    party_id          bigint NOT NULL,
    old_tier          text NOT NULL,
    new_tier          text NOT NULL,
    policy_version_id bigint NOT NULL CONSTRAINT tier_change_policy_version_id_fkey REFERENCES masterdata.policy_version (id),
    inputs            jsonb NOT NULL CONSTRAINT tier_change_inputs_check CHECK (jsonb_typeof(inputs) = 'object'),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tier_change_tiers_check CHECK (old_tier <> new_tier)
);
COMMENT ON TABLE parties.tier_change IS
'Every tier change of a provider or business, with the rule version applied and the inputs (trust score, active
fleet, completed contracts, qualifying tier and since when). Append-only.';
CREATE INDEX tier_change_party_idx ON parties.tier_change (party_type, party_id, id);

CREATE TABLE parties.tier_candidate (
    party_type     text NOT NULL CONSTRAINT tier_candidate_party_type_check CHECK (party_type IN ('PROVIDER', 'BUSINESS')),
    party_id       bigint NOT NULL,
    qualified_tier text NOT NULL,
    since          timestamptz NOT NULL,
    CONSTRAINT tier_candidate_pkey PRIMARY KEY (party_type, party_id)
);
COMMENT ON TABLE parties.tier_candidate IS
'For the demotion grace period: the lower tier a party currently qualifies for and since when. Cleared when the
party qualifies again for its tier or is demoted.';

CREATE TRIGGER business_audit AFTER INSERT OR UPDATE OR DELETE ON parties.business
    FOR EACH ROW EXECUTE FUNCTION audit.track();
-- Trust-score moves are recorded with their inputs in parties.trust_score_event; the row audit covers the rest.
CREATE TRIGGER provider_audit AFTER INSERT OR DELETE OR UPDATE OF user_id, organization_id, tenant_id, provider_type, name, tin_number,
    verification_status, tier_code, tier_since, wallet_account_id, metadata ON parties.provider
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON parties.business, parties.provider, parties.trust_score_event, parties.tier_change, parties.tier_candidate
    FROM PUBLIC;
GRANT SELECT ON parties.business, parties.provider, parties.trust_score_event, parties.tier_change, parties.tier_candidate
    TO mercato_service;

COMMIT;
