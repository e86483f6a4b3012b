-- Deploy mercato:schemas/settlement to pg
-- Settlement cycles: per provider and period, what its assignments earned, the commission at each contract's
-- snapshotted rate, and the net paid; a provider's periods never overlap.

BEGIN;

CREATE SCHEMA settlement;
COMMENT ON SCHEMA settlement IS
'Paying providers: per provider per period, gross earned by its active assignments, commission at the rate copied
onto each contract at award time, net payable; captured from escrow to the provider''s wallet and the platform''s
commission account in one ledger step. A provider''s settled periods never overlap (a constraint).';
GRANT USAGE ON SCHEMA settlement TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE settlement.cycle (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT cycle_pkey PRIMARY KEY,
    provider_id  bigint NOT NULL CONSTRAINT cycle_provider_id_fkey REFERENCES parties.provider (id),
    currency     char(3) NOT NULL CONSTRAINT cycle_currency_fkey REFERENCES masterdata.currency (code),
    period_start date NOT NULL,
    period_end   date NOT NULL,
    gross        numeric(20,4) NOT NULL CONSTRAINT cycle_gross_check CHECK (gross >= 0),
    commission   numeric(20,4) NOT NULL CONSTRAINT cycle_commission_check CHECK (commission >= 0),
    net          numeric(20,4) NOT NULL CONSTRAINT cycle_net_check CHECK (net >= 0),
    status       text NOT NULL DEFAULT 'SETTLED' CONSTRAINT cycle_status_check CHECK (status IN ('SETTLED')),
    reference    text NOT NULL CONSTRAINT cycle_reference_key UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cycle_period_check CHECK (period_end >= period_start),
    CONSTRAINT cycle_amounts_check CHECK (net = gross - commission),
    CONSTRAINT cycle_no_overlap_excl EXCLUDE USING gist
        (provider_id WITH =, currency WITH =, daterange(period_start, period_end, '[]') WITH &&)
);
COMMENT ON TABLE settlement.cycle IS
'One settlement of one provider for [period_start, period_end] (inclusive dates): gross = sum of its lines,
commission = sum of the lines'' commissions, net = gross - commission. Periods of one provider never overlap, so a
period cannot be settled twice. reference is the idempotency key of the run that made it.';

CREATE TABLE settlement.cycle_line (
    cycle_id         bigint NOT NULL CONSTRAINT cycle_line_cycle_id_fkey REFERENCES settlement.cycle (id),
    contract_line_id bigint NOT NULL CONSTRAINT cycle_line_contract_line_id_fkey REFERENCES contracts.contract_line (id),
    vehicle_days     integer NOT NULL CONSTRAINT cycle_line_vehicle_days_check CHECK (vehicle_days > 0),
    unit_price       numeric(20,4) NOT NULL,
    gross            numeric(20,4) NOT NULL CONSTRAINT cycle_line_gross_check CHECK (gross > 0),
    commission_rate  numeric(6,5) NOT NULL,
    commission       numeric(20,4) NOT NULL CONSTRAINT cycle_line_commission_check CHECK (commission >= 0 AND commission <= gross),
    net              numeric(20,4) NOT NULL,
    ledger_transaction_id bigint NOT NULL CONSTRAINT cycle_line_ledger_transaction_id_fkey REFERENCES ledger.transaction (id),
    CONSTRAINT cycle_line_pkey PRIMARY KEY (cycle_id, contract_line_id),
    CONSTRAINT cycle_line_gross_calc_check CHECK (gross = vehicle_days * unit_price),
    CONSTRAINT cycle_line_net_check CHECK (net = gross - commission)
);
COMMENT ON TABLE settlement.cycle_line IS
'What one contract line earned in a cycle: vehicle_days x unit_price = gross, commission at the contract''s
snapshotted rate clamped to its min/max, net = gross - commission; captured from the line''s escrow hold by
ledger_transaction_id.';
CREATE INDEX cycle_line_contract_line_id_idx ON settlement.cycle_line (contract_line_id);

REVOKE ALL ON settlement.cycle, settlement.cycle_line FROM PUBLIC;

COMMIT;
