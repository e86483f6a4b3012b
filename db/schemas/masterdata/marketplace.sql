-- Deploy mercato:schemas/masterdata/marketplace to pg
-- Movello's configuration as data: vehicle and engine types, contract periods, provider and business tiers,
-- the versioned tier rules and commission strategy, and the marketplace settings.

BEGIN;

CREATE TABLE masterdata.provider_tier (
    code       text CONSTRAINT provider_tier_pkey PRIMARY KEY CONSTRAINT provider_tier_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    name       text NOT NULL,
    rank       smallint NOT NULL CONSTRAINT provider_tier_rank_key UNIQUE CONSTRAINT provider_tier_rank_check CHECK (rank > 0),
    is_default boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE masterdata.provider_tier IS
'Provider tiers (BRONZE < SILVER < GOLD < PLATINUM, ordered by rank). The tier decides the commission rate.';
CREATE UNIQUE INDEX provider_tier_default_key ON masterdata.provider_tier (is_default) WHERE is_default;

CREATE TABLE masterdata.business_tier (
    code       text CONSTRAINT business_tier_pkey PRIMARY KEY CONSTRAINT business_tier_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    name       text NOT NULL,
    rank       smallint NOT NULL CONSTRAINT business_tier_rank_key UNIQUE CONSTRAINT business_tier_rank_check CHECK (rank > 0),
    is_default boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE masterdata.business_tier IS
'Business tiers (STANDARD < BUSINESS_PRO < PREMIUM < ENTERPRISE, ordered by rank). The tier decides the monthly RFQ quota.';
CREATE UNIQUE INDEX business_tier_default_key ON masterdata.business_tier (is_default) WHERE is_default;

-- Rule sets are versions of a masterdata.policy_version (policy codes PROVIDER_TIER_RULES, BUSINESS_TIER_RULES,
-- COMMISSION_STRATEGY); the rows of a version are written once, with the version, and never changed.
CREATE TABLE masterdata.provider_tier_rule (
    policy_version_id   bigint NOT NULL CONSTRAINT provider_tier_rule_policy_version_id_fkey
                        REFERENCES masterdata.policy_version (id),
    tier_code           text NOT NULL CONSTRAINT provider_tier_rule_tier_code_fkey REFERENCES masterdata.provider_tier (code),
    min_trust_score     smallint NOT NULL,
    max_trust_score     smallint NOT NULL,
    min_active_vehicles integer NOT NULL CONSTRAINT provider_tier_rule_min_active_vehicles_check CHECK (min_active_vehicles >= 0),
    CONSTRAINT provider_tier_rule_pkey PRIMARY KEY (policy_version_id, tier_code),
    CONSTRAINT provider_tier_rule_trust_check CHECK (0 <= min_trust_score AND min_trust_score <= max_trust_score AND max_trust_score <= 100)
);
COMMENT ON TABLE masterdata.provider_tier_rule IS
'Provider tier thresholds of one PROVIDER_TIER_RULES version: a provider qualifies for a tier when its trust score
reaches min_trust_score AND at least min_active_vehicles of its vehicles are in active contracts; it gets the highest
tier it qualifies for. max_trust_score documents the band (the seed''s 0-49 / 50-69 / 70-84 / 85-100).';

CREATE TABLE masterdata.business_tier_rule (
    policy_version_id       bigint NOT NULL CONSTRAINT business_tier_rule_policy_version_id_fkey
                            REFERENCES masterdata.policy_version (id),
    tier_code               text NOT NULL CONSTRAINT business_tier_rule_tier_code_fkey REFERENCES masterdata.business_tier (code),
    min_completed_contracts integer NOT NULL CONSTRAINT business_tier_rule_min_completed_contracts_check CHECK (min_completed_contracts >= 0),
    min_active_fleet        integer NOT NULL CONSTRAINT business_tier_rule_min_active_fleet_check CHECK (min_active_fleet >= 0),
    max_rfqs_per_month      integer CONSTRAINT business_tier_rule_max_rfqs_per_month_check CHECK (max_rfqs_per_month >= 0),
    CONSTRAINT business_tier_rule_pkey PRIMARY KEY (policy_version_id, tier_code)
);
COMMENT ON TABLE masterdata.business_tier_rule IS
'Business tier thresholds of one BUSINESS_TIER_RULES version: a business qualifies when it has at least
min_completed_contracts completed contracts AND at least min_active_fleet vehicles in active contracts; it gets the
highest tier it qualifies for. max_rfqs_per_month is the tier''s monthly quota of published RFQs (NULL = unlimited).';

CREATE TABLE masterdata.commission_rule (
    policy_version_id bigint NOT NULL CONSTRAINT commission_rule_policy_version_id_fkey
                      REFERENCES masterdata.policy_version (id),
    tier_code         text NOT NULL CONSTRAINT commission_rule_tier_code_fkey REFERENCES masterdata.provider_tier (code),
    currency          char(3) NOT NULL CONSTRAINT commission_rule_currency_fkey REFERENCES masterdata.currency (code),
    rate              numeric(6,5) NOT NULL CONSTRAINT commission_rule_rate_check CHECK (rate >= 0 AND rate < 1),
    minimum_amount    numeric(20,4) NOT NULL DEFAULT 0 CONSTRAINT commission_rule_minimum_amount_check CHECK (minimum_amount >= 0),
    maximum_amount    numeric(20,4),
    minimum_share     numeric(6,5) NOT NULL DEFAULT 0.25
                      CONSTRAINT commission_rule_minimum_share_check CHECK (minimum_share > 0 AND minimum_share < 1),
    CONSTRAINT commission_rule_pkey PRIMARY KEY (policy_version_id, tier_code, currency),
    CONSTRAINT commission_rule_bounds_check CHECK (maximum_amount IS NULL OR maximum_amount >= minimum_amount)
);
COMMENT ON TABLE masterdata.commission_rule IS
'Commission of one COMMISSION_STRATEGY version per provider tier and currency, per settlement line: rate of the
gross, at most maximum_amount (NULL = no cap) and at least the floor least(minimum_amount, gross x minimum_share), so
that a minimum never takes more than minimum_share of a small line (100.00 ETB pays at most 25.00 of a 50.00
minimum at the seed''s 0.25). Amounts are in the currency, within its minor units (functions/masterdata/marketplace
refuses others with MASTERDATA_COMMISSION_RULE_INVALID). Contracts copy the rule in force at award time.';
COMMENT ON COLUMN masterdata.commission_rule.minimum_share IS
'The most of a line''s gross the minimum may take: the floor is least(minimum_amount, gross x minimum_share) (rounded
down to the currency). Above 0 and below 1, so the provider always keeps part of a line; not below the rate when
there is a minimum (such a minimum could never apply).';

CREATE FUNCTION masterdata.rule_immutable_trg()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM core.raise('MASTERDATA_RULE_IMMUTABLE',
                       format('%s %s of policy version %s', TG_OP, TG_TABLE_NAME, OLD.policy_version_id),
                       'add a new policy version instead');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masterdata.rule_immutable_trg() IS
'Trigger: rule rows of a policy version are never updated or deleted; a change is a new version.';

CREATE TRIGGER provider_tier_rule_immutable BEFORE UPDATE OR DELETE ON masterdata.provider_tier_rule
    FOR EACH ROW EXECUTE FUNCTION masterdata.rule_immutable_trg();
CREATE TRIGGER business_tier_rule_immutable BEFORE UPDATE OR DELETE ON masterdata.business_tier_rule
    FOR EACH ROW EXECUTE FUNCTION masterdata.rule_immutable_trg();
CREATE TRIGGER commission_rule_immutable BEFORE UPDATE OR DELETE ON masterdata.commission_rule
    FOR EACH ROW EXECUTE FUNCTION masterdata.rule_immutable_trg();

REVOKE ALL ON masterdata.provider_tier, masterdata.business_tier, masterdata.provider_tier_rule,
              masterdata.business_tier_rule, masterdata.commission_rule FROM PUBLIC;
GRANT SELECT ON masterdata.provider_tier, masterdata.business_tier, masterdata.provider_tier_rule,
                masterdata.business_tier_rule, masterdata.commission_rule
    TO mercato_anon, mercato_user, mercato_service;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('MASTERDATA_RULE_IMMUTABLE', 'masterdata', 'PT403', 'rules of a policy version are never changed',
 'add a new policy version instead', 'UPDATE or DELETE of a tier or commission rule row.');

-- Data ------------------------------------------------------------------------------------------

INSERT INTO masterdata.lookup_type (code, name, description, display_order) VALUES
('VEHICLE_TYPE', 'Vehicle type', 'What kind of vehicle an RFQ line asks for and a vehicle is.', 1),
('ENGINE_TYPE', 'Engine type', 'What drives the vehicle.', 2),
('CONTRACT_PERIOD', 'Contract period', 'How long a rental runs; metadata.days is its nominal length.', 3);
INSERT INTO masterdata.lookup (lookup_type_id, code, value, metadata, sort_order)
SELECT t.id, v.code, v.value, v.metadata::jsonb, v.sort_order
  FROM (VALUES
    ('VEHICLE_TYPE', 'SEDAN', 'Sedan', '{"seats": 4}', 1),
    ('VEHICLE_TYPE', 'EV_SEDAN', 'Electric sedan', '{"seats": 4}', 2),
    ('VEHICLE_TYPE', 'SUV', 'SUV', '{"seats": 7}', 3),
    ('VEHICLE_TYPE', 'MINIBUS_12', 'Minibus, 12 seats', '{"seats": 12}', 4),
    ('VEHICLE_TYPE', 'BUS_30', 'Bus, 30 seats', '{"seats": 30}', 5),
    ('VEHICLE_TYPE', 'PICKUP', 'Pickup truck', '{"seats": 2}', 6),
    ('ENGINE_TYPE', 'PETROL', 'Petrol', '{}', 1),
    ('ENGINE_TYPE', 'DIESEL', 'Diesel', '{}', 2),
    ('ENGINE_TYPE', 'HYBRID', 'Hybrid', '{}', 3),
    ('ENGINE_TYPE', 'ELECTRIC', 'Electric', '{}', 4),
    ('CONTRACT_PERIOD', 'DAY', 'Daily', '{"days": 1}', 1),
    ('CONTRACT_PERIOD', 'WEEK', 'Weekly', '{"days": 7}', 2),
    ('CONTRACT_PERIOD', 'MONTH', 'Monthly', '{"days": 30}', 3),
    ('CONTRACT_PERIOD', 'QUARTER', 'Quarterly', '{"days": 90}', 4),
    ('CONTRACT_PERIOD', 'YEAR', 'Yearly', '{"days": 365}', 5)
  ) AS v(type_code, code, value, metadata, sort_order)
  JOIN masterdata.lookup_type t ON t.code = v.type_code;

INSERT INTO masterdata.provider_tier (code, name, rank, is_default) VALUES
('BRONZE', 'Bronze', 1, true), ('SILVER', 'Silver', 2, false), ('GOLD', 'Gold', 3, false), ('PLATINUM', 'Platinum', 4, false);
INSERT INTO masterdata.business_tier (code, name, rank, is_default) VALUES
('STANDARD', 'Standard', 1, true), ('BUSINESS_PRO', 'Business Pro', 2, false), ('PREMIUM', 'Premium', 3, false),
('ENTERPRISE', 'Enterprise', 4, false);

INSERT INTO masterdata.policy_version (policy_code, version, effective_from, body, note) VALUES
('PROVIDER_TIER_RULES', 1, '2025-01-01T00:00:00Z', '{"rows": "masterdata.provider_tier_rule"}', 'Movello MVP tiers'),
('BUSINESS_TIER_RULES', 1, '2025-01-01T00:00:00Z', '{"rows": "masterdata.business_tier_rule"}', 'Movello MVP tiers'),
('COMMISSION_STRATEGY', 1, '2025-01-01T00:00:00Z', '{"rows": "masterdata.commission_rule"}', 'Movello MVP commission');

INSERT INTO masterdata.provider_tier_rule (policy_version_id, tier_code, min_trust_score, max_trust_score, min_active_vehicles)
SELECT pv.id, r.tier, r.lo, r.hi, r.vehicles
  FROM masterdata.policy_version pv,
       (VALUES ('BRONZE', 0, 49, 0), ('SILVER', 50, 69, 5), ('GOLD', 70, 84, 15), ('PLATINUM', 85, 100, 30))
       AS r(tier, lo, hi, vehicles)
 WHERE pv.policy_code = 'PROVIDER_TIER_RULES' AND pv.version = 1;

INSERT INTO masterdata.business_tier_rule (policy_version_id, tier_code, min_completed_contracts, min_active_fleet, max_rfqs_per_month)
SELECT pv.id, r.tier, r.contracts, r.fleet, r.quota
  FROM masterdata.policy_version pv,
       (VALUES ('STANDARD', 0, 0, 10), ('BUSINESS_PRO', 10, 10, 50), ('PREMIUM', 20, 30, 200), ('ENTERPRISE', 0, 100, NULL))
       AS r(tier, contracts, fleet, quota)
 WHERE pv.policy_code = 'BUSINESS_TIER_RULES' AND pv.version = 1;

-- The floor and the cap are amounts of each currency (a birr or shilling amount is not a dollar amount); the minimum
-- takes at most a quarter of a line.
INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount,
                                        minimum_share)
SELECT pv.id, r.tier, c.code, r.rate, c.lo, r.hi * c.scale, 0.25
  FROM masterdata.policy_version pv,
       (VALUES ('BRONZE', 0.10, 50000), ('SILVER', 0.08, 40000), ('GOLD', 0.06, 30000),
               ('PLATINUM', 0.05, 25000)) AS r(tier, rate, hi),
       (VALUES ('ETB', 50, 1), ('KES', 50, 1), ('USD', 0.50, 0.008)) AS c(code, lo, scale)
 WHERE pv.policy_code = 'COMMISSION_STRATEGY' AND pv.version = 1;

INSERT INTO masterdata.setting (key, value_type, value, min_value, max_value, description) VALUES
('MARKETPLACE_CURRENCY', 'STRING', 'ETB', NULL, NULL, 'Currency of Movello RFQs, contracts and wallets.'),
('RFQ_MAX_LINE_ITEMS', 'NUMBER', '20', 1, 200, 'Most line items one RFQ may have.'),
('RFQ_MIN_BID_WINDOW_MINUTES', 'NUMBER', '60', 1, 100000, 'Shortest time between publishing an RFQ and its bid deadline.'),
('RFQ_MAX_QUANTITY_PER_LINE', 'NUMBER', '500', 1, 100000, 'Most vehicles one RFQ line may ask for.'),
('OTP_RESEND_COOLDOWN_SECONDS', 'NUMBER', '30', 0, 3600, 'Least time between two codes issued for one delivery session.'),
('OTP_MAX_RESENDS', 'NUMBER', '5', 0, 100, 'Most codes issued for one delivery session after the first.'),
('OTP_SESSION_FAILURE_BUDGET', 'NUMBER', '10', 1, 100, 'Wrong codes a delivery session tolerates across all its codes before it is locked.'),
('TIER_DEMOTION_GRACE_DAYS', 'NUMBER', '30', 0, 365, 'A tier is lowered only after the party has qualified for the lower tier continuously for this many days.'),
('TRUST_SCORE_INITIAL', 'NUMBER', '50', 0, 100, 'Trust score of a newly registered provider.');

COMMIT;
