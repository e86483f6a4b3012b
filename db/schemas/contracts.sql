-- Deploy mercato:schemas/contracts to pg
-- Contracts created from awards: immutable party snapshots, priced lines with their escrow holds, and vehicle
-- assignments that can never overlap for one vehicle.

BEGIN;

CREATE SCHEMA contracts;
COMMENT ON SCHEMA contracts IS
'The contract lifecycle: award -> contract (with immutable snapshots of both parties, the lines and the commission
terms in force at award time) -> activation (the full amount held in escrow on the business wallet) -> vehicle
assignments -> completion, early return or termination.';
GRANT USAGE ON SCHEMA contracts TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE contracts.contract (
    id                           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT contract_pkey PRIMARY KEY,
    contract_number              text NOT NULL CONSTRAINT contract_contract_number_key UNIQUE,
    rfq_id                       bigint NOT NULL CONSTRAINT contract_rfq_id_fkey REFERENCES marketplace.rfq (id)
                                 CONSTRAINT contract_rfq_id_key UNIQUE,
    business_id                  bigint NOT NULL CONSTRAINT contract_business_id_fkey REFERENCES parties.business (id),
    currency                     char(3) NOT NULL CONSTRAINT contract_currency_fkey REFERENCES masterdata.currency (code),
    start_date                   date NOT NULL,
    end_date                     date NOT NULL,
    total_amount                 numeric(20,4) NOT NULL CONSTRAINT contract_total_amount_check CHECK (total_amount > 0),
    status                       text NOT NULL DEFAULT 'PENDING_ACTIVATION'
                                 CONSTRAINT contract_status_check
                                 CHECK (status IN ('PENDING_ACTIVATION', 'ACTIVE', 'COMPLETED', 'TERMINATED', 'CANCELLED')),
    commission_policy_version_id bigint NOT NULL CONSTRAINT contract_commission_policy_version_id_fkey
                                 REFERENCES masterdata.policy_version (id),
    business_wallet_account_id   bigint NOT NULL CONSTRAINT contract_business_wallet_account_id_fkey REFERENCES ledger.account (id),
    created_at                   timestamptz NOT NULL DEFAULT now(),
    activated_at                 timestamptz,
    ended_at                     timestamptz,
    end_reason                   text CONSTRAINT contract_end_reason_check CHECK (length(end_reason) <= 500),
    CONSTRAINT contract_dates_check CHECK (end_date >= start_date),
    CONSTRAINT contract_activated_check CHECK (status IN ('PENDING_ACTIVATION', 'CANCELLED') OR activated_at IS NOT NULL)
);
COMMENT ON TABLE contracts.contract IS
'A rental contract between one business and the providers awarded on one RFQ, for [start_date, end_date] (inclusive
dates). total_amount = the sum of its lines. PENDING_ACTIVATION -> ACTIVE (escrow locked) -> COMPLETED | TERMINATED;
PENDING_ACTIVATION -> CANCELLED.';
CREATE INDEX contract_business_id_idx ON contracts.contract (business_id, id);
CREATE INDEX contract_status_idx ON contracts.contract (status);

CREATE TABLE contracts.party_business (
    contract_id   bigint CONSTRAINT party_business_pkey PRIMARY KEY
                  CONSTRAINT party_business_contract_id_fkey REFERENCES contracts.contract (id),
    business_id   bigint NOT NULL CONSTRAINT party_business_business_id_fkey REFERENCES parties.business (id),
    name          text NOT NULL,
    tin_number    text,
    kyb_status    text NOT NULL,
    tier_code     text NOT NULL,
    snapshot      jsonb NOT NULL CONSTRAINT party_business_snapshot_check CHECK (jsonb_typeof(snapshot) = 'object'),
    snapshot_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE contracts.party_business IS 'The business as it was at award time (immutable snapshot).';

CREATE TABLE contracts.party_provider (
    contract_id       bigint NOT NULL CONSTRAINT party_provider_contract_id_fkey REFERENCES contracts.contract (id),
    provider_id       bigint NOT NULL CONSTRAINT party_provider_provider_id_fkey REFERENCES parties.provider (id),
    name              text NOT NULL,
    tin_number        text,
    provider_type     text NOT NULL,
    tier_code         text NOT NULL,
    trust_score       smallint NOT NULL,
    commission_rate   numeric(6,5) NOT NULL CONSTRAINT party_provider_commission_rate_check CHECK (commission_rate >= 0 AND commission_rate < 1),
    commission_min    numeric(20,4) NOT NULL,
    commission_max    numeric(20,4),
    commission_min_share numeric(6,5) NOT NULL DEFAULT 0,
    wallet_account_id bigint NOT NULL CONSTRAINT party_provider_wallet_account_id_fkey REFERENCES ledger.account (id),
    snapshot          jsonb NOT NULL CONSTRAINT party_provider_snapshot_check CHECK (jsonb_typeof(snapshot) = 'object'),
    snapshot_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT party_provider_pkey PRIMARY KEY (contract_id, provider_id),
    CONSTRAINT party_provider_commission_min_share_check
        CHECK (commission_min_share >= 0 AND commission_min_share < 1 AND (commission_min = 0 OR commission_min_share > 0))
);
COMMENT ON TABLE contracts.party_provider IS
'A provider of the contract as it was at award time (immutable snapshot), with its tier and the commission terms
(rate, min, max per settlement line, and the most of a line the min may take) of the COMMISSION_STRATEGY version in
force then. Settlement uses these, never today''s rate.';
COMMENT ON COLUMN contracts.party_provider.commission_min_share IS
'The rule''s minimum_share: the floor of a settlement line''s commission is least(commission_min, gross x this). A
snapshot with a minimum carries its share (CHECK); 0, the default, only where there is no minimum.';

CREATE TABLE contracts.contract_line (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT contract_line_pkey PRIMARY KEY,
    contract_id     bigint NOT NULL CONSTRAINT contract_line_contract_id_fkey REFERENCES contracts.contract (id),
    award_id        bigint NOT NULL CONSTRAINT contract_line_award_id_fkey REFERENCES marketplace.award (id)
                    CONSTRAINT contract_line_award_id_key UNIQUE,
    rfq_line_id     bigint NOT NULL CONSTRAINT contract_line_rfq_line_id_fkey REFERENCES marketplace.rfq_line (id),
    provider_id     bigint NOT NULL,
    vehicle_type    text NOT NULL,
    engine_type     text,
    with_driver     boolean NOT NULL,
    quantity        integer NOT NULL CONSTRAINT contract_line_quantity_check CHECK (quantity > 0),
    unit_price      numeric(20,4) NOT NULL CONSTRAINT contract_line_unit_price_check CHECK (unit_price > 0),
    days            integer NOT NULL CONSTRAINT contract_line_days_check CHECK (days > 0),
    total_amount    numeric(20,4) NOT NULL CONSTRAINT contract_line_total_amount_check CHECK (total_amount > 0),
    hold_id         bigint CONSTRAINT contract_line_hold_id_fkey REFERENCES ledger.hold (id),
    escrowed        numeric(20,4) NOT NULL DEFAULT 0 CONSTRAINT contract_line_escrowed_check CHECK (escrowed >= 0),
    settled_gross   numeric(20,4) NOT NULL DEFAULT 0 CONSTRAINT contract_line_settled_gross_check CHECK (settled_gross >= 0),
    released        numeric(20,4) NOT NULL DEFAULT 0 CONSTRAINT contract_line_released_check CHECK (released >= 0),
    CONSTRAINT contract_line_party_fkey FOREIGN KEY (contract_id, provider_id)
        REFERENCES contracts.party_provider (contract_id, provider_id),
    CONSTRAINT contract_line_total_check CHECK (total_amount = quantity * unit_price * days),
    CONSTRAINT contract_line_escrow_check CHECK (settled_gross + released <= escrowed AND escrowed <= total_amount)
);
COMMENT ON TABLE contracts.contract_line IS
'One awarded part of the contract: quantity vehicles of a type from one provider at unit_price per vehicle per day
for days days; total_amount = quantity * unit_price * days (immutable). Escrow: escrowed is what activation locked;
hold_id is the ledger hold that currently holds escrowed - settled_gross - released (exactly, at every commit).';
CREATE INDEX contract_line_contract_id_idx ON contracts.contract_line (contract_id);
CREATE INDEX contract_line_provider_id_idx ON contracts.contract_line (provider_id);

CREATE TABLE contracts.assignment (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT assignment_pkey PRIMARY KEY,
    contract_line_id bigint NOT NULL CONSTRAINT assignment_contract_line_id_fkey REFERENCES contracts.contract_line (id),
    contract_id      bigint NOT NULL CONSTRAINT assignment_contract_id_fkey REFERENCES contracts.contract (id),
    provider_id      bigint NOT NULL CONSTRAINT assignment_provider_id_fkey REFERENCES parties.provider (id),
    vehicle_id       bigint NOT NULL CONSTRAINT assignment_vehicle_id_fkey REFERENCES fleet.vehicle (id),
    period           daterange NOT NULL CONSTRAINT assignment_period_check CHECK (NOT isempty(period) AND NOT lower_inf(period) AND NOT upper_inf(period)),
    status           text NOT NULL DEFAULT 'PENDING_DELIVERY'
                     CONSTRAINT assignment_status_check CHECK (status IN ('PENDING_DELIVERY', 'ACTIVE', 'RETURNED', 'CANCELLED')),
    live             boolean NOT NULL GENERATED ALWAYS AS (status IN ('PENDING_DELIVERY', 'ACTIVE')) STORED,
    started_on       date,
    ended_on         date,
    end_reason       text CONSTRAINT assignment_end_reason_check CHECK (length(end_reason) <= 500),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assignment_started_check CHECK (status IN ('PENDING_DELIVERY', 'CANCELLED') OR started_on IS NOT NULL),
    CONSTRAINT assignment_ended_check CHECK ((status = 'RETURNED') = (ended_on IS NOT NULL) OR status = 'CANCELLED'),
    CONSTRAINT assignment_vehicle_no_overlap_excl EXCLUDE USING gist (vehicle_id WITH =, period WITH &&) WHERE (live)
) WITH (fillfactor = 80);
COMMENT ON TABLE contracts.assignment IS
'A vehicle assigned to a contract line for period (daterange, [start, end+1)). PENDING_DELIVERY -> ACTIVE (handover
verified by OTP, started_on) -> RETURNED (return verified, ended_on); or CANCELLED. An exclusion constraint makes a
vehicle impossible to book into two overlapping live assignments. The vehicle earns one vehicle-day per calendar day
in [started_on, least(coalesce(ended_on, upper(period)), upper(period))): ended_on is the return date, not billed.';
COMMENT ON COLUMN contracts.assignment.live IS
'True while the assignment books its vehicle (PENDING_DELIVERY or ACTIVE), generated from status. The overlap rule
reads it rather than status, so that starting an assignment (PENDING_DELIVERY -> ACTIVE) changes no indexed value and
is a HOT update (no index entry written; fillfactor 80 leaves the page room). No index names status.';
CREATE INDEX assignment_contract_line_id_idx ON contracts.assignment (contract_line_id);
CREATE INDEX assignment_contract_id_idx ON contracts.assignment (contract_id);
CREATE INDEX assignment_provider_id_idx ON contracts.assignment (provider_id);

REVOKE ALL ON contracts.contract, contracts.party_business, contracts.party_provider, contracts.contract_line,
              contracts.assignment FROM PUBLIC;

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('contracts', 'contract_line', NULL, 'SEALED', 'each provider''s price on a contract: not for the other providers'),
('contracts', 'contract', 'total_amount', 'SEALED', 'the sum of every provider''s lines: on a split award it reveals the others'' prices');

COMMIT;
