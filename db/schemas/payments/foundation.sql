-- Deploy mercato:schemas/payments/foundation to pg
-- What every payments use case shares (issue 19; docs/payments.md): merchants (organizations of kind MERCHANT), the
-- wallet registry (a wallet IS a ledger MAIN account; this table only says whose), KYC levels and the versioned wallet
-- limits policy, the fee catalog with merchant overrides (one append-only, effective-dated table), and the fee charges
-- (the seed's billing ledger: a snapshot per fee posted, each naming the ledger transaction that moved it).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO identity.organization_kind (code, description) VALUES
('MERCHANT', 'A merchant of the payments product: receives payments and invoices, owns shops, wallets and QR codes.');

INSERT INTO identity.permission (code, description, tenant_grantable) VALUES
('payments.manage', 'Run the payments platform: KYC levels, rails, the fee catalog and merchant fee profiles, '
 'quarantined webhook events, disputes.', false);
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code = 'PLATFORM_ADMIN' AND r.tenant_id IS NULL AND p.code = 'payments.manage';

-- wallets -------------------------------------------------------------------------------------------------------------
CREATE TABLE payments.wallet (
    account_id      bigint CONSTRAINT wallet_pkey PRIMARY KEY
                    CONSTRAINT wallet_account_id_fkey REFERENCES ledger.account (id),
    owner_type      text NOT NULL CONSTRAINT wallet_owner_type_check CHECK (owner_type IN ('USER', 'ORG')),
    user_id         bigint CONSTRAINT wallet_user_id_fkey REFERENCES identity.user_account (id),
    organization_id bigint CONSTRAINT wallet_organization_id_fkey REFERENCES identity.organization (id),
    currency        char(3) NOT NULL CONSTRAINT wallet_currency_fkey REFERENCES masterdata.currency (code),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wallet_owner_check CHECK ((owner_type = 'USER') = (user_id IS NOT NULL)
                                         AND (owner_type = 'ORG') = (organization_id IS NOT NULL)),
    CONSTRAINT wallet_user_id_currency_key UNIQUE (user_id, currency),
    CONSTRAINT wallet_organization_id_currency_key UNIQUE (organization_id, currency)
);
COMMENT ON TABLE payments.wallet IS
'A wallet: a ledger MAIN account and whose it is, a user (owner_type USER) or an organization (ORG: a merchant, a
Movello business or provider). One per owner and currency. Balance, holds and statement are the ledger account''s
(ledger.account, ledger.account_history): this row holds no money and cannot drift. Rows are written only by
payments.wallet_for and payments.register_wallet and never change (payments.wallet_fixed).';

CREATE TRIGGER wallet_fixed BEFORE UPDATE OR DELETE ON payments.wallet
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER wallet_no_truncate BEFORE TRUNCATE ON payments.wallet
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

CREATE TABLE payments.kyc (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT kyc_pkey PRIMARY KEY,
    user_id         bigint CONSTRAINT kyc_user_id_fkey REFERENCES identity.user_account (id),
    organization_id bigint CONSTRAINT kyc_organization_id_fkey REFERENCES identity.organization (id),
    level           smallint NOT NULL CONSTRAINT kyc_level_check CHECK (level BETWEEN 0 AND 3),
    note            text NOT NULL DEFAULT '' CONSTRAINT kyc_note_check CHECK (length(note) <= 500),
    set_by          bigint CONSTRAINT kyc_set_by_fkey REFERENCES identity.user_account (id),
    set_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT kyc_owner_check CHECK ((user_id IS NULL) <> (organization_id IS NULL)),
    CONSTRAINT kyc_user_id_key UNIQUE (user_id),
    CONSTRAINT kyc_organization_id_key UNIQUE (organization_id)
);
COMMENT ON TABLE payments.kyc IS
'The KYC level (0: unverified .. 3: fully verified) of a wallet owner, a user or an organization; no row is level 0.
Set by the back office (payments.set_kyc_level, audited); the wallet limits policy PAYMENTS_WALLET_LIMITS gives each
level its maximum balance and daily withdrawal.';
CREATE INDEX kyc_set_by_idx ON payments.kyc (set_by);
CREATE TRIGGER kyc_audit AFTER INSERT OR UPDATE OR DELETE ON payments.kyc
    FOR EACH ROW EXECUTE FUNCTION audit.track();

-- The wallet limits, per currency and KYC level, as a versioned policy (masterdata.add_policy_version appends a new
-- version). Amounts are in the currency's units; a currency or level missing from the body has no limits defined and
-- is refused (PAYMENTS_LIMITS_UNDEFINED) rather than unlimited.
INSERT INTO masterdata.policy_version (policy_code, version, effective_from, body, note)
VALUES ('PAYMENTS_WALLET_LIMITS', 1, '2026-01-01T00:00:00Z',
        '{"KES": {"0": {"max_balance": "100000.00",   "daily_withdrawal": "20000.00"},
                  "1": {"max_balance": "300000.00",   "daily_withdrawal": "70000.00"},
                  "2": {"max_balance": "1000000.00",  "daily_withdrawal": "300000.00"},
                  "3": {"max_balance": "10000000.00", "daily_withdrawal": "1000000.00"}},
          "ETB": {"0": {"max_balance": "1000000.00",  "daily_withdrawal": "200000.00"},
                  "1": {"max_balance": "5000000.00",  "daily_withdrawal": "1000000.00"},
                  "2": {"max_balance": "50000000.00", "daily_withdrawal": "10000000.00"},
                  "3": {"max_balance": "500000000.00", "daily_withdrawal": "100000000.00"}},
          "USD": {"0": {"max_balance": "1000.00",     "daily_withdrawal": "200.00"},
                  "1": {"max_balance": "5000.00",     "daily_withdrawal": "1000.00"},
                  "2": {"max_balance": "50000.00",    "daily_withdrawal": "10000.00"},
                  "3": {"max_balance": "500000.00",   "daily_withdrawal": "100000.00"}}}',
        'Wallet limits per currency and KYC level (issue 19): maximum balance, withdrawals per UTC day.');

-- fees ----------------------------------------------------------------------------------------------------------------
CREATE TABLE payments.fee_rule (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT fee_rule_pkey PRIMARY KEY,
    organization_id bigint CONSTRAINT fee_rule_organization_id_fkey REFERENCES identity.organization (id),
    operation       text NOT NULL
                    CONSTRAINT fee_rule_operation_check CHECK (operation IN ('FUNDING', 'WITHDRAWAL', 'PAYMENT', 'PAYOUT')),
    rail            text CONSTRAINT fee_rule_rail_check CHECK (rail ~ '^[A-Z][A-Z0-9_-]{0,31}$'),
    currency        char(3) NOT NULL CONSTRAINT fee_rule_currency_fkey REFERENCES masterdata.currency (code),
    percent         numeric NOT NULL CONSTRAINT fee_rule_percent_check CHECK (percent >= 0 AND percent <= 100 AND scale(percent) <= 4),
    fixed           numeric NOT NULL DEFAULT 0 CONSTRAINT fee_rule_fixed_check CHECK (fixed >= 0 AND fixed < 1e12),
    min_fee         numeric NOT NULL DEFAULT 0 CONSTRAINT fee_rule_min_fee_check CHECK (min_fee >= 0 AND min_fee < 1e12),
    max_fee         numeric CONSTRAINT fee_rule_max_fee_check CHECK (max_fee >= min_fee AND max_fee < 1e12),
    effective_from  timestamptz NOT NULL,
    created_by      bigint CONSTRAINT fee_rule_created_by_fkey REFERENCES identity.user_account (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fee_rule_version_key UNIQUE NULLS NOT DISTINCT (organization_id, operation, rail, currency, effective_from)
);
COMMENT ON TABLE payments.fee_rule IS
'The fee catalog (organization_id NULL) and the merchant fee profiles that override it (organization_id a MERCHANT), per
operation (FUNDING, WITHDRAWAL, PAYMENT, PAYOUT), rail (NULL: any rail) and currency: percent of the amount + fixed,
then clamped to [min_fee, max_fee]. Versioned by effective_from: the row of a key in force at an instant is the latest
one that has started. Append-only (payments.fee_rule_fixed): a new version is a new row. payments.fee_quote picks, most
specific first: the merchant''s rule for the rail, the merchant''s for any rail, the catalog''s for the rail, the
catalog''s for any rail; none is a fee of 0.';
CREATE INDEX fee_rule_created_by_idx ON payments.fee_rule (created_by);
CREATE TRIGGER fee_rule_fixed BEFORE UPDATE OR DELETE ON payments.fee_rule
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER fee_rule_no_truncate BEFORE TRUNCATE ON payments.fee_rule
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER fee_rule_audit AFTER INSERT ON payments.fee_rule
    FOR EACH ROW EXECUTE FUNCTION audit.track();

CREATE TABLE payments.fee_charge (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT fee_charge_pkey PRIMARY KEY,
    reference       text NOT NULL CONSTRAINT fee_charge_reference_key UNIQUE,
    transaction_id  bigint NOT NULL CONSTRAINT fee_charge_transaction_id_fkey REFERENCES ledger.transaction (id),
    operation       text NOT NULL
                    CONSTRAINT fee_charge_operation_check CHECK (operation IN ('FUNDING', 'WITHDRAWAL', 'PAYMENT', 'PAYOUT')),
    rail            text,
    organization_id bigint CONSTRAINT fee_charge_organization_id_fkey REFERENCES identity.organization (id),
    currency        char(3) NOT NULL CONSTRAINT fee_charge_currency_fkey REFERENCES masterdata.currency (code),
    base_amount     numeric NOT NULL CONSTRAINT fee_charge_base_amount_check CHECK (base_amount > 0),
    fee             numeric NOT NULL CONSTRAINT fee_charge_fee_check CHECK (fee > 0 AND fee <= base_amount),
    fee_rule_id     bigint CONSTRAINT fee_charge_fee_rule_id_fkey REFERENCES payments.fee_rule (id),
    subject_type    text NOT NULL CONSTRAINT fee_charge_subject_type_check CHECK (subject_type ~ '^[a-z][a-z_]{0,31}$'),
    subject_id      bigint NOT NULL,
    charged_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE payments.fee_charge IS
'The seed''s billing ledger: one row per fee the platform earned, snapshotting the rule, the base amount and the fee at
the moment of the operation. reference is unique and is the ledger reference of the transaction that moved the fee to
the platform''s REVENUE account (transaction_id). Written only by payments.record_fee in the operation''s transaction;
append-only (payments.fee_charge_fixed). The fee report sums it per merchant and period.';
CREATE INDEX fee_charge_transaction_id_idx ON payments.fee_charge (transaction_id);
CREATE INDEX fee_charge_organization_id_idx ON payments.fee_charge (organization_id, charged_at);
CREATE INDEX fee_charge_fee_rule_id_idx ON payments.fee_charge (fee_rule_id);
CREATE INDEX fee_charge_charged_at_idx ON payments.fee_charge (charged_at);
CREATE TRIGGER fee_charge_fixed BEFORE UPDATE OR DELETE ON payments.fee_charge
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER fee_charge_no_truncate BEFORE TRUNCATE ON payments.fee_charge
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

REVOKE ALL ON payments.wallet, payments.kyc, payments.fee_rule, payments.fee_charge FROM PUBLIC;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_INVALID_INPUT', 'payments', 'PT400', 'invalid payments input', NULL,
 'A parameter is missing, malformed or out of range; the detail names the field and the reason. Nothing was written.'),
('PAYMENTS_UNKNOWN_WALLET', 'payments', 'PT404', 'no such wallet', NULL,
 'No wallet with this id, or one the caller may not use (answered alike): a user''s wallet is its own, an '
 'organization''s is its members'' (the role the action needs).'),
('PAYMENTS_LIMITS_UNDEFINED', 'payments', 'PT409', 'the wallet limits policy defines no limits for this currency and KYC level',
 'add a version of the policy PAYMENTS_WALLET_LIMITS that covers it',
 'The policy in force has no entry for the wallet''s currency and its owner''s KYC level: refused rather than unlimited.'),
('PAYMENTS_IMMUTABLE', 'payments', 'PT409', 'this payments record never changes', NULL,
 'Wallet registry rows, fee rules (a new version is a new row) and fee charges are append-only.');

COMMIT;
