-- Deploy mercato:schemas/ledger to pg
-- The double-entry ledger every module posts to: accounts (with hot-account slots), transactions,
-- entries with per-account sequence and running balances, and holds (escrow).

BEGIN;

CREATE SCHEMA ledger;
COMMENT ON SCHEMA ledger IS
'Double-entry ledger: accounts, balanced transactions, immutable entries with running balances, holds.
Written only through the ledger functions; application roles hold no write privilege on any table.';
GRANT USAGE ON SCHEMA ledger TO mercato_user, mercato_service;

-- Attribute rules are domains, not table CHECK constraints: PostgreSQL re-plans every CHECK of a table on
-- each INSERT/UPDATE statement (and evaluates them all, whatever columns changed), while a domain check is
-- planned once per session and runs only when a value is assigned to the column. The balance update of every
-- posting therefore pays only for the balance rules (account_available_check, account_held_check).
CREATE DOMAIN ledger.reference AS text CONSTRAINT reference_check CHECK (length(VALUE) BETWEEN 1 AND 200);
COMMENT ON DOMAIN ledger.reference IS 'A caller''s idempotency reference: 1-200 characters.';
CREATE DOMAIN ledger.memo AS text CONSTRAINT memo_check CHECK (length(VALUE) <= 500);
COMMENT ON DOMAIN ledger.memo IS 'A free-text memo: at most 500 characters.';
CREATE DOMAIN ledger.owner_type AS text CONSTRAINT owner_type_check CHECK (VALUE ~ '^[A-Z][A-Z0-9_]{0,62}$');
COMMENT ON DOMAIN ledger.owner_type IS 'The kind of owner of an account, UPPER_SNAKE (BUSINESS, PROVIDER, PLATFORM, ...).';
CREATE DOMAIN ledger.owner_id AS text CONSTRAINT owner_id_check CHECK (length(VALUE) BETWEEN 1 AND 128);
COMMENT ON DOMAIN ledger.owner_id IS 'The owner''s id within its type: 1-128 characters.';
CREATE DOMAIN ledger.account_purpose AS text CONSTRAINT account_purpose_check
    CHECK (VALUE IN ('MAIN', 'ESCROW', 'COMMISSION', 'CREDIT_LINE', 'CLEARING', 'EXTERNAL', 'FEES', 'REVENUE'));
COMMENT ON DOMAIN ledger.account_purpose IS 'What an account is for.';
CREATE DOMAIN ledger.account_status AS text CONSTRAINT account_status_check CHECK (VALUE IN ('ACTIVE', 'FROZEN', 'CLOSED'));
COMMENT ON DOMAIN ledger.account_status IS 'ACTIVE accounts post; FROZEN and CLOSED ones refuse postings and holds.';
CREATE DOMAIN ledger.slot_count AS smallint CONSTRAINT slot_count_check CHECK (VALUE BETWEEN 1 AND 64);
COMMENT ON DOMAIN ledger.slot_count IS 'Balance slots of an account: 1 (plain) to 64 (hot).';
CREATE DOMAIN ledger.limit_amount AS numeric CONSTRAINT limit_amount_check CHECK (VALUE >= 0 AND VALUE < 1e15);
COMMENT ON DOMAIN ledger.limit_amount IS 'A non-negative limit such as an overdraft limit.';
CREATE DOMAIN ledger.hot_slot AS smallint CONSTRAINT hot_slot_check CHECK (VALUE BETWEEN 1 AND 63);
COMMENT ON DOMAIN ledger.hot_slot IS 'An extra balance slot of a hot account (slot 0 is the account row itself).';
CREATE DOMAIN ledger.transaction_kind AS text CONSTRAINT transaction_kind_check
    CHECK (VALUE IN ('TRANSFER', 'POST', 'BATCH', 'CAPTURE', 'REVERSAL'));
COMMENT ON DOMAIN ledger.transaction_kind IS 'Which ledger function posted a transaction.';
CREATE DOMAIN ledger.hold_status AS text CONSTRAINT hold_status_check CHECK (VALUE IN ('OPEN', 'CAPTURED', 'RELEASED', 'EXPIRED'));
COMMENT ON DOMAIN ledger.hold_status IS 'A hold is OPEN until it resolves once: CAPTURED, RELEASED or EXPIRED.';

CREATE TABLE ledger.account (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT account_pkey PRIMARY KEY,
    owner_type      ledger.owner_type NOT NULL,
    owner_id        ledger.owner_id NOT NULL,
    purpose         ledger.account_purpose NOT NULL,
    currency        char(3) NOT NULL CONSTRAINT account_currency_fkey REFERENCES masterdata.currency (code),
    minor_units     smallint NOT NULL,
    allow_negative  boolean NOT NULL DEFAULT false,
    overdraft_limit ledger.limit_amount NOT NULL DEFAULT 0,
    receive_only    boolean NOT NULL DEFAULT false,
    slots           ledger.slot_count NOT NULL DEFAULT 1,
    status          ledger.account_status NOT NULL DEFAULT 'ACTIVE',
    balance         numeric NOT NULL DEFAULT 0,
    held            numeric NOT NULL DEFAULT 0 CONSTRAINT account_held_check CHECK (held >= 0),
    seq             bigint NOT NULL DEFAULT 0,
    metadata        jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_owner_purpose_currency_key UNIQUE (owner_type, owner_id, purpose, currency),
    -- The hot-account policy (slots > 1 cannot overdraw) is the account_hot_policy trigger (functions/ledger/guards):
    -- it only concerns columns that balance updates never touch, so it costs them nothing.
    -- Backstop for the functions' conditional UPDATEs: a plain account never goes below its limit.
    -- (A hot account's slot 0 may dip below zero; the sum over its slots is what counts, see ledger.check.)
    CONSTRAINT account_available_check CHECK (allow_negative OR slots > 1 OR balance - held >= -overdraft_limit)
) WITH (fillfactor = 80);
COMMENT ON TABLE ledger.account IS
'A ledger account: owner (type + id), purpose, currency, balance policy, status, and its slot-0 balance.
balance, held and seq are the running totals of slot 0; hot accounts (slots > 1) keep more slots in
ledger.account_slot, summed on read. available = balance - held (over all slots). minor_units is copied
from masterdata.currency at open so postings need no lookup. fillfactor 80 keeps balance updates HOT.';

CREATE TABLE ledger.account_slot (
    account_id  bigint NOT NULL CONSTRAINT account_slot_account_id_fkey REFERENCES ledger.account (id),
    slot        ledger.hot_slot NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    currency    char(3) NOT NULL,
    minor_units smallint NOT NULL,
    balance     numeric NOT NULL DEFAULT 0,
    seq         bigint NOT NULL DEFAULT 0,
    CONSTRAINT account_slot_pkey PRIMARY KEY (account_id, slot)
) WITH (fillfactor = 70);
COMMENT ON TABLE ledger.account_slot IS
'Extra balance slots 1..slots-1 of a hot account, so that concurrent credits do not queue on one row.
active, currency and minor_units mirror the account (kept in step by ledger.set_account_status).';

CREATE TABLE ledger.transaction (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT transaction_pkey PRIMARY KEY,
    reference    ledger.reference NOT NULL CONSTRAINT transaction_reference_key UNIQUE,
    kind         ledger.transaction_kind NOT NULL,
    request_hash uuid NOT NULL,
    memo         ledger.memo,
    metadata     jsonb,
    reversal_of  bigint CONSTRAINT transaction_reversal_of_fkey REFERENCES ledger.transaction (id),
    reversed_by  bigint CONSTRAINT transaction_reversed_by_fkey REFERENCES ledger.transaction (id),
    posted_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transaction_reversal_check CHECK ((kind = 'REVERSAL') = (reversal_of IS NOT NULL))
);
COMMENT ON TABLE ledger.transaction IS
'A posted, balanced ledger transaction. reference is the caller''s idempotency key (unique across
transfers, posts, batches, captures and reversals); request_hash identifies the request made with it.
A reversal links both ways: reversal_of on the reversal, reversed_by on the original (set once).';
CREATE UNIQUE INDEX transaction_reversal_of_key ON ledger.transaction (reversal_of) WHERE reversal_of IS NOT NULL;

CREATE TABLE ledger.entry (
    transaction_id bigint NOT NULL,   -- references ledger.transaction (id): checked by the entry_balanced trigger
    account_id     bigint NOT NULL,   -- references ledger.account (id): checked by the entry_balanced trigger
    slot           smallint NOT NULL,
    seq            bigint NOT NULL CONSTRAINT entry_seq_check CHECK (seq > 0),
    amount         numeric NOT NULL CONSTRAINT entry_amount_check CHECK (amount <> 0 AND scale(amount) <= 4),
    balance_before numeric NOT NULL,
    balance_after  numeric NOT NULL,
    posted_at      timestamptz NOT NULL,
    CONSTRAINT entry_pkey PRIMARY KEY (account_id, slot, seq),
    CONSTRAINT entry_running_balance_check CHECK (balance_after = balance_before + amount)
);
COMMENT ON TABLE ledger.entry IS
'One leg of a transaction on one account slot: signed amount (+ credit, - debit), the slot''s sequence
number and its balance before and after, all assigned under the slot''s row lock. posted_at is the
clock time under that lock, so within a slot it never decreases as seq grows: time lookups are binary searches
over the primary key (ledger.seq_at), with no index of their own. Immutable.
transaction_id and account_id are checked once per INSERT statement by the entry_balanced trigger (which joins
both anyway to balance the legs per currency) instead of by foreign keys, whose per-row RI queries would cost
four extra queries per transfer; accounts and transactions can never be deleted or re-keyed (triggers), so an
entry that referred to an existing row at insert time always does (ledger.check() verifies it too).';
-- A transaction's entries (ledger.reverse): entries are appended in transaction-id order, so a BRIN index finds them
-- by reading a few pages, at a few bytes per thousand entries, where a B-tree would cost ~24 bytes and a page
-- write per entry on the hot path.
CREATE INDEX entry_transaction_id_idx ON ledger.entry USING brin (transaction_id) WITH (pages_per_range = 16, autosummarize = on);

CREATE TABLE ledger.hold (
    id                 bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT hold_pkey PRIMARY KEY,
    reference          ledger.reference NOT NULL CONSTRAINT hold_reference_key UNIQUE,
    request_hash       uuid NOT NULL,
    account_id         bigint NOT NULL CONSTRAINT hold_account_id_fkey REFERENCES ledger.account (id),
    amount             numeric NOT NULL CONSTRAINT hold_amount_check CHECK (amount > 0),
    status             ledger.hold_status NOT NULL DEFAULT 'OPEN',
    memo               ledger.memo,
    expires_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    resolved_at        timestamptz,
    resolution_ref     ledger.reference,
    captured_amount    numeric,
    transaction_id     bigint CONSTRAINT hold_transaction_id_fkey REFERENCES ledger.transaction (id),
    open_expires_at    timestamptz GENERATED ALWAYS AS (CASE WHEN status = 'OPEN' THEN expires_at END) STORED,
    CONSTRAINT hold_resolution_check CHECK ((status = 'OPEN') = (resolved_at IS NULL)),
    CONSTRAINT hold_capture_check CHECK ((status = 'CAPTURED') = (transaction_id IS NOT NULL)
                                         AND (captured_amount IS NULL OR captured_amount BETWEEN 0 AND amount))
) WITH (fillfactor = 80);
COMMENT ON TABLE ledger.hold IS
'Funds reserved on an account (escrow): lowers available, not balance. Resolves exactly once: CAPTURED
(to one or more destinations, the rest released), RELEASED, or EXPIRED after expires_at.
fillfactor 80 and no index naming status keep the resolution of a hold without expiry a HOT update.';
COMMENT ON COLUMN ledger.hold.open_expires_at IS
'expires_at while the hold is OPEN, else NULL (generated). The expiry sweep''s index reads it rather than status, so
resolving a hold that never expires (contract escrow) changes no indexed value and is a HOT update: no index entry
written, in any of the hold''s four indexes.';
CREATE INDEX hold_open_expires_at_idx ON ledger.hold (open_expires_at) WHERE open_expires_at IS NOT NULL;
-- An account's holds, open or resolved (statements, api.holds). Deliberately not partial on status = 'OPEN': the
-- resolving UPDATEs (capture, release) say status = 'OPEN', which makes such a partial index a candidate for them,
-- and whenever the statistics saw few open holds the planner preferred a full scan of it to the primary key, a plan
-- PL/pgSQL then caches for the session. Every resolved hold leaves a dead entry in that index until VACUUM, so that
-- scan grew with the hold traffic: at 12,600 open holds one capture took 6.5 ms instead of 0.7 (found 2026-12-01).
CREATE INDEX hold_account_id_idx ON ledger.hold (account_id);

REVOKE ALL ON ledger.account, ledger.account_slot, ledger.transaction, ledger.entry, ledger.hold FROM PUBLIC;
GRANT SELECT ON ledger.account, ledger.account_slot, ledger.entry TO mercato_service;
-- Every column but the references (sealed, core.secret): read them through api.transactions / api.holds.
GRANT SELECT (id, kind, request_hash, memo, metadata, reversal_of, reversed_by, posted_at) ON ledger.transaction TO mercato_service;
GRANT SELECT (id, request_hash, account_id, amount, status, memo, expires_at, created_at, resolved_at, captured_amount,
              transaction_id, open_expires_at) ON ledger.hold TO mercato_service;

CREATE TRIGGER account_audit AFTER INSERT ON ledger.account
    FOR EACH ROW EXECUTE FUNCTION audit.track();
-- Only policy and status changes are audited; balance updates (every posting) are not: entries are their own log.
CREATE TRIGGER account_policy_audit
    AFTER UPDATE OF status, allow_negative, overdraft_limit, receive_only, metadata ON ledger.account
    FOR EACH ROW EXECUTE FUNCTION audit.track();

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('LEDGER_UNKNOWN_ACCOUNT', 'ledger', 'PT404', 'no such ledger account', NULL, 'The detail names the account id.'),
('LEDGER_ACCOUNT_EXISTS', 'ledger', 'PT409', 'an account with this owner, purpose and currency exists with other settings',
 NULL, 'Opening the same account again with the same settings returns it; with different settings it is refused.'),
('LEDGER_ACCOUNT_INVALID', 'ledger', 'PT400', 'the account definition is malformed',
 NULL, 'Bad owner type or id, purpose, slot count, overdraft limit or status; the detail names the field.'),
('LEDGER_ACCOUNT_FROZEN', 'ledger', 'PT423', 'the account is frozen', 'an administrator must unfreeze it',
 'Frozen accounts refuse every posting and hold.'),
('LEDGER_ACCOUNT_CLOSED', 'ledger', 'PT423', 'the account is closed', NULL, 'Closed accounts refuse everything; closing is final.'),
('LEDGER_ACCOUNT_NOT_EMPTY', 'ledger', 'PT409', 'the account still has a balance or open holds',
 'move the balance and resolve the holds first', 'Only an account with zero balance and no open holds can be closed.'),
('LEDGER_RECEIVE_ONLY', 'ledger', 'PT403', 'the account only receives funds', NULL, 'A receive-only account cannot be debited or held.'),
('LEDGER_INSUFFICIENT_FUNDS', 'ledger', 'PT402', 'insufficient available funds', NULL,
 'available = balance - held would fall below zero (or below -overdraft_limit). The detail gives the figures.'),
('LEDGER_CURRENCY_MISMATCH', 'ledger', 'PT400', 'the accounts are in different currencies',
 NULL, 'Every leg and account of a transfer must be in the same currency.'),
('LEDGER_AMOUNT_INVALID', 'ledger', 'PT400', 'the amount must be positive and below 10^15', NULL, 'NULL, zero, negative or huge amounts.'),
('LEDGER_AMOUNT_PRECISION', 'ledger', 'PT400', 'the amount has more decimals than the currency allows',
 NULL, 'E.g. 1.005 ETB (2 decimals) or 1.5 JPY (none).'),
('LEDGER_UNBALANCED', 'ledger', 'PT400', 'the transaction does not balance', NULL,
 'Debits and credits of a transaction must be equal in every currency. Enforced for every INSERT into ledger.entry.'),
('LEDGER_INVALID_LEGS', 'ledger', 'PT400', 'the legs are malformed', NULL,
 'Legs must be a JSON array of at least two {account_id, amount, side DEBIT|CREDIT}; one account''s legs may not net to zero.'),
('LEDGER_INVALID_BATCH', 'ledger', 'PT400', 'the batch is malformed', NULL,
 'A batch is a non-empty JSON array (at most 10000) of {reference, debit_account_id, credit_account_id, amount}; references unique.'),
('LEDGER_SAME_ACCOUNT', 'ledger', 'PT400', 'debit and credit account are the same', NULL, 'A transfer moves money between two different accounts.'),
('LEDGER_REFERENCE_INVALID', 'ledger', 'PT400', 'the reference must be 1-200 characters', NULL, 'Every posting carries a caller reference.'),
('LEDGER_IDEMPOTENCY_CONFLICT', 'ledger', 'PT422', 'this reference was already used for a different request',
 'use a new reference for a new request', 'Replaying the same request returns the original result; a different one is refused.'),
('LEDGER_UNKNOWN_HOLD', 'ledger', 'PT404', 'no such hold', NULL, 'The detail names the hold id.'),
('LEDGER_HOLD_RESOLVED', 'ledger', 'PT409', 'the hold is already resolved', NULL,
 'A hold is captured, released or expired exactly once. The detail gives its status.'),
('LEDGER_HOLD_EXPIRED', 'ledger', 'PT410', 'the hold has expired', NULL, 'Past expires_at a hold cannot be captured; ledger.expire_holds releases it.'),
('LEDGER_HOLD_EXPIRY_INVALID', 'ledger', 'PT400', 'expires_at must be in the future', NULL, 'A hold that is already expired would never be usable.'),
('LEDGER_CAPTURE_EXCEEDS_HOLD', 'ledger', 'PT400', 'the capture is larger than the hold', NULL, 'The destinations add up to more than the held amount.'),
('LEDGER_UNKNOWN_TRANSACTION', 'ledger', 'PT404', 'no such transaction', NULL, 'The detail names the transaction id.'),
('LEDGER_ALREADY_REVERSED', 'ledger', 'PT409', 'the transaction has already been reversed', NULL, 'A transaction is reversed at most once.'),
('LEDGER_NOT_REVERSIBLE', 'ledger', 'PT409', 'a reversal cannot be reversed', 'post a new transaction instead', 'Reversals are final; a new correction is a new transaction.'),
('LEDGER_IMMUTABLE', 'ledger', 'PT403', 'posted ledger records cannot be changed or deleted',
 'correct with ledger.reverse', 'Raised by triggers on ledger.transaction and ledger.entry, for every role including the owner.'),
('LEDGER_HOT_ACCOUNT_POLICY', 'ledger', 'PT400', 'not allowed on a hot (multi-slot) account',
 NULL, 'Hot accounts cannot overdraw, carry holds or be debited in a batch.');

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('ledger', 'transaction', 'reference', 'SEALED', 'idempotency keys name what they pay (a contract line''s release carries its amount); a unique index would let EXPLAIN read another party''s'),
('ledger', 'hold', 'reference', 'SEALED', 'escrow hold references carry a line''s settled and released amounts, so its provider''s price'),
('ledger', 'hold', 'resolution_ref', 'SEALED', 'the reference of the capture or release that resolved the hold');

COMMIT;
