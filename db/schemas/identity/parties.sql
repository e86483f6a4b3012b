-- Deploy mercato:schemas/identity/parties to pg
-- The marketplace's parties: businesses (KYB), providers (verification, trust score, tier), their vehicles and
-- vehicle insurance, and the history of every trust-score and tier change with its inputs.

BEGIN;

CREATE TABLE identity.business (
    id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT business_pkey PRIMARY KEY,
    user_id           bigint NOT NULL CONSTRAINT business_user_id_fkey REFERENCES identity.user_account (id)
                      CONSTRAINT business_user_id_key UNIQUE,
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
COMMENT ON TABLE identity.business IS
'A business that rents vehicles (the buying side), owned by one user account. kyb_status gates publishing RFQs;
tier_code (from identity.recalculate_tiers) sets the monthly RFQ quota; wallet_account_id is its MAIN ledger account.';
CREATE INDEX business_tenant_id_idx ON identity.business (tenant_id);

CREATE TABLE identity.provider (
    id                  bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT provider_pkey PRIMARY KEY,
    user_id             bigint NOT NULL CONSTRAINT provider_user_id_fkey REFERENCES identity.user_account (id)
                        CONSTRAINT provider_user_id_key UNIQUE,
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
COMMENT ON TABLE identity.provider IS
'A vehicle provider (the selling side): an individual, an agent or a company, owned by one user account. Only
VERIFIED providers bid. trust_score (0-100) moves with delivery outcomes; tier_code follows trust and active fleet
and decides the commission rate; wallet_account_id is its MAIN ledger account, credited by settlement.';
CREATE INDEX provider_tenant_id_idx ON identity.provider (tenant_id);

CREATE TABLE identity.vehicle (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT vehicle_pkey PRIMARY KEY,
    provider_id      bigint NOT NULL CONSTRAINT vehicle_provider_id_fkey REFERENCES identity.provider (id),
    plate_number     text NOT NULL CONSTRAINT vehicle_plate_number_check CHECK (plate_number ~ '^[A-Z0-9][A-Z0-9 -]{1,30}$'),
    vehicle_type     text NOT NULL,
    engine_type      text,
    seat_count       smallint NOT NULL CONSTRAINT vehicle_seat_count_check CHECK (seat_count BETWEEN 1 AND 100),
    brand            text CONSTRAINT vehicle_brand_check CHECK (length(brand) <= 128),
    model            text CONSTRAINT vehicle_model_check CHECK (length(model) <= 128),
    tags             text[] NOT NULL DEFAULT '{}' CONSTRAINT vehicle_tags_check CHECK (cardinality(tags) <= 20),
    status           text NOT NULL DEFAULT 'UNDER_REVIEW'
                     CONSTRAINT vehicle_status_check CHECK (status IN ('UNDER_REVIEW', 'ACTIVE', 'SUSPENDED', 'RETIRED')),
    images           jsonb NOT NULL DEFAULT '{}' CONSTRAINT vehicle_images_check CHECK (jsonb_typeof(images) = 'object'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE identity.vehicle IS
'A vehicle of a provider. plate_number is unique platform-wide (upper case, normalised); vehicle_type and
engine_type are codes of the VEHICLE_TYPE / ENGINE_TYPE lookups; images maps a view (front, back, ...) to a URL.
Only ACTIVE vehicles can be assigned to contracts.';
CREATE UNIQUE INDEX vehicle_plate_number_key ON identity.vehicle (plate_number);
CREATE INDEX vehicle_provider_id_idx ON identity.vehicle (provider_id);

CREATE TABLE identity.vehicle_insurance (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT vehicle_insurance_pkey PRIMARY KEY,
    vehicle_id       bigint NOT NULL CONSTRAINT vehicle_insurance_vehicle_id_fkey REFERENCES identity.vehicle (id),
    insurance_type   text NOT NULL CONSTRAINT vehicle_insurance_insurance_type_check
                     CHECK (insurance_type IN ('THIRD_PARTY', 'COMPREHENSIVE')),
    company_name     text NOT NULL CONSTRAINT vehicle_insurance_company_name_check CHECK (length(btrim(company_name)) BETWEEN 1 AND 256),
    policy_number    text CONSTRAINT vehicle_insurance_policy_number_check CHECK (length(policy_number) <= 128),
    insured_amount   numeric(20,4) CONSTRAINT vehicle_insurance_insured_amount_check CHECK (insured_amount > 0),
    coverage_start   date NOT NULL,
    coverage_end     date NOT NULL,
    certificate_url  text NOT NULL CONSTRAINT vehicle_insurance_certificate_url_check CHECK (certificate_url ~ '^https?://'),
    status           text NOT NULL DEFAULT 'PENDING_VERIFICATION'
                     CONSTRAINT vehicle_insurance_status_check CHECK (status IN ('PENDING_VERIFICATION', 'VERIFIED', 'REJECTED')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vehicle_insurance_coverage_check CHECK (coverage_end >= coverage_start)
);
COMMENT ON TABLE identity.vehicle_insurance IS
'An insurance policy of a vehicle, covering [coverage_start, coverage_end] (dates, both inclusive). A vehicle can be
assigned to a contract only when VERIFIED policies cover the whole contract period.';
CREATE INDEX vehicle_insurance_vehicle_id_idx ON identity.vehicle_insurance (vehicle_id);
CREATE INDEX vehicle_insurance_coverage_end_idx ON identity.vehicle_insurance (coverage_end);

CREATE TABLE identity.trust_score_event (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT trust_score_event_pkey PRIMARY KEY,
    provider_id bigint NOT NULL CONSTRAINT trust_score_event_provider_id_fkey REFERENCES identity.provider (id),
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
COMMENT ON TABLE identity.trust_score_event IS
'Every outcome that moves a provider''s trust score (e.g. DELIVERED_ON_TIME, RETURN_COMPLETED), with the target it
pulls the score towards and the inputs of the calculation. Recorded at once by the outcome (a pending event:
old_score, new_score and applied_at NULL) and folded into identity.provider.trust_score in id order by
identity.fold_trust_events (the tier job and identity.apply_trust_events), which fills in old_score, new_score and
applied_at. Append-only apart from that one fold.';
CREATE INDEX trust_score_event_provider_id_idx ON identity.trust_score_event (provider_id, id);
CREATE INDEX trust_score_event_pending_idx ON identity.trust_score_event (provider_id, id) WHERE applied_at IS NULL;

CREATE TABLE identity.tier_change (
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
COMMENT ON TABLE identity.tier_change IS
'Every tier change of a provider or business, with the rule version applied and the inputs (trust score, active
fleet, completed contracts, qualifying tier and since when). Append-only.';
CREATE INDEX tier_change_party_idx ON identity.tier_change (party_type, party_id, id);

CREATE TABLE identity.tier_candidate (
    party_type     text NOT NULL CONSTRAINT tier_candidate_party_type_check CHECK (party_type IN ('PROVIDER', 'BUSINESS')),
    party_id       bigint NOT NULL,
    qualified_tier text NOT NULL,
    since          timestamptz NOT NULL,
    CONSTRAINT tier_candidate_pkey PRIMARY KEY (party_type, party_id)
);
COMMENT ON TABLE identity.tier_candidate IS
'For the demotion grace period: the lower tier a party currently qualifies for and since when. Cleared when the
party qualifies again for its tier or is demoted.';

CREATE TRIGGER business_audit AFTER INSERT OR UPDATE OR DELETE ON identity.business
    FOR EACH ROW EXECUTE FUNCTION audit.track();
-- Trust-score moves are recorded with their inputs in identity.trust_score_event; the row audit covers the rest.
CREATE TRIGGER provider_audit AFTER INSERT OR DELETE OR UPDATE OF user_id, tenant_id, provider_type, name, tin_number,
    verification_status, tier_code, tier_since, wallet_account_id, metadata ON identity.provider
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER vehicle_audit AFTER INSERT OR UPDATE OR DELETE ON identity.vehicle
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER vehicle_insurance_audit AFTER INSERT OR UPDATE OR DELETE ON identity.vehicle_insurance
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON identity.business, identity.provider, identity.vehicle, identity.vehicle_insurance,
              identity.trust_score_event, identity.tier_change, identity.tier_candidate FROM PUBLIC;
GRANT SELECT ON identity.business, identity.provider, identity.vehicle, identity.vehicle_insurance,
                identity.trust_score_event, identity.tier_change, identity.tier_candidate TO mercato_service;

COMMIT;
