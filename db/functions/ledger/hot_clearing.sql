-- Deploy mercato:functions/ledger/hot_clearing to pg
-- Hot accounts that may go negative. A payment rail's clearing account is debited by every top-up and credited by
-- every payout; as one row it serialised all of them (issue 19's webhook benchmark: two thirds of the backends waited
-- on it). An account that allows negative balances has no floor to check, so its debits can take one slot each,
-- exactly as credits do; the slot-sum check (and its lock on every slot) stays for hot accounts that may not go
-- below zero. Overdraft limits stay refused on hot accounts (they would need both), and so do holds. open_account also
-- looks for the account before trying to insert it (most calls find it: a platform account asked for at every fee).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION ledger.account_hot_policy_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM core.raise('LEDGER_HOT_ACCOUNT_POLICY',
                       format('account %s has %s slots: it cannot have an overdraft limit', NEW.id, NEW.slots));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ledger.account_hot_policy_trg() IS
'Trigger: a hot account (slots > 1) cannot have an overdraft limit (LEDGER_HOT_ACCOUNT_POLICY): its debits are
checked against the sum of its slots, or not at all when it allows negative balances; a limit below zero would need
both. Assumes READ COMMITTED.';

DROP TRIGGER account_hot_policy ON ledger.account;
CREATE TRIGGER account_hot_policy BEFORE INSERT OR UPDATE OF slots, allow_negative, overdraft_limit ON ledger.account
    FOR EACH ROW WHEN (NEW.slots > 1 AND NEW.overdraft_limit > 0)
    EXECUTE FUNCTION ledger.account_hot_policy_trg();

CREATE OR REPLACE FUNCTION ledger.open_account(
    p_owner_type      text,
    p_owner_id        text,
    p_purpose         text,
    p_currency        text,
    p_allow_negative  boolean DEFAULT false,
    p_overdraft_limit numeric DEFAULT 0,
    p_receive_only    boolean DEFAULT false,
    p_slots           integer DEFAULT 1,
    p_metadata        jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_units smallint;
    v_id    bigint;
    v       ledger.account;
BEGIN
    IF p_owner_type IS NULL OR p_owner_type !~ '^[A-Z][A-Z0-9_]{0,62}$' THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID', 'owner_type must be UPPER_SNAKE, e.g. BUSINESS');
    ELSIF p_owner_id IS NULL OR length(p_owner_id) NOT BETWEEN 1 AND 128 THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID', 'owner_id must be 1-128 characters');
    ELSIF p_purpose IS NULL OR p_purpose NOT IN ('MAIN', 'ESCROW', 'COMMISSION', 'CREDIT_LINE', 'CLEARING', 'EXTERNAL', 'FEES', 'REVENUE') THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID',
                           'purpose must be MAIN, ESCROW, COMMISSION, CREDIT_LINE, CLEARING, EXTERNAL, FEES or REVENUE');
    ELSIF p_allow_negative IS NULL OR p_receive_only IS NULL OR p_metadata IS NULL OR jsonb_typeof(p_metadata) <> 'object' THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID', 'allow_negative, receive_only and metadata (a JSON object) are required');
    ELSIF p_slots IS NULL OR p_slots NOT BETWEEN 1 AND 64 THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID', 'slots must be between 1 and 64');
    ELSIF p_overdraft_limit IS NULL OR p_overdraft_limit < 0 OR p_overdraft_limit >= 1e15 THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID', 'overdraft_limit must be between 0 and 10^15');
    ELSIF p_slots > 1 AND p_overdraft_limit > 0 THEN
        PERFORM core.raise('LEDGER_HOT_ACCOUNT_POLICY', 'a hot account (slots > 1) cannot have an overdraft limit');
    END IF;
    -- Most calls find the account open already (a platform account asked for at every fee): one indexed read then.
    SELECT * INTO v FROM ledger.account
     WHERE owner_type = p_owner_type AND owner_id = p_owner_id AND purpose = p_purpose AND currency = p_currency;
    IF FOUND THEN
        IF (v.allow_negative, v.overdraft_limit, v.receive_only, v.slots, v.metadata)
           IS DISTINCT FROM (p_allow_negative, p_overdraft_limit, p_receive_only, p_slots::smallint, p_metadata) THEN
            PERFORM core.raise('LEDGER_ACCOUNT_EXISTS', format('account %s', v.id));
        END IF;
        RETURN v.id;
    END IF;
    v_units := masterdata.currency_minor_units(p_currency);
    IF scale(p_overdraft_limit) > v_units THEN
        PERFORM core.raise('LEDGER_AMOUNT_PRECISION', format('overdraft_limit %s in %s', p_overdraft_limit, p_currency));
    END IF;
    INSERT INTO ledger.account (owner_type, owner_id, purpose, currency, minor_units, allow_negative,
                                overdraft_limit, receive_only, slots, metadata)
    VALUES (p_owner_type, p_owner_id, p_purpose, p_currency, v_units, p_allow_negative,
            p_overdraft_limit, p_receive_only, p_slots, p_metadata)
    ON CONFLICT (owner_type, owner_id, purpose, currency) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        SELECT * INTO v FROM ledger.account
         WHERE owner_type = p_owner_type AND owner_id = p_owner_id AND purpose = p_purpose AND currency = p_currency;
        IF (v.allow_negative, v.overdraft_limit, v.receive_only, v.slots, v.metadata)
           IS DISTINCT FROM (p_allow_negative, p_overdraft_limit, p_receive_only, p_slots::smallint, p_metadata) THEN
            PERFORM core.raise('LEDGER_ACCOUNT_EXISTS', format('account %s', v.id));
        END IF;
        RETURN v.id;
    END IF;
    INSERT INTO ledger.account_slot (account_id, slot, currency, minor_units)
    SELECT v_id, s, p_currency, v_units FROM generate_series(1, p_slots - 1) AS s;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION ledger.open_account(text, text, text, text, boolean, numeric, boolean, integer, jsonb) IS
'Open a ledger account for an owner, purpose and currency; returns its id.
Idempotent: the same owner/purpose/currency with the same settings returns the existing account.
p_slots > 1 makes a hot account whose balance is spread over slots (for accounts credited by everyone, e.g.
platform commission, or moved by everyone, e.g. a payment rail''s clearing account that may go negative); a hot
account carries no holds and no overdraft limit, and unless it allows negative balances its debits check the sum of
its slots.
Errors: LEDGER_ACCOUNT_INVALID, LEDGER_HOT_ACCOUNT_POLICY, LEDGER_AMOUNT_PRECISION, MASTERDATA_UNKNOWN_CURRENCY,
LEDGER_ACCOUNT_EXISTS. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION ledger.post_debit(
    p_account_id bigint, p_amount numeric, p_currency text,
    OUT o_slot smallint, OUT o_seq bigint, OUT o_balance_after numeric, OUT o_currency text)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_slots smallint;
BEGIN
    o_slot := 0;
    UPDATE ledger.account a
       SET balance = a.balance - p_amount, seq = a.seq + 1
     WHERE a.id = p_account_id AND a.status = 'ACTIVE' AND a.slots = 1 AND NOT a.receive_only
       AND (p_currency IS NULL OR a.currency = p_currency) AND scale(p_amount) <= a.minor_units
       AND (a.allow_negative OR a.balance - a.held - p_amount >= -a.overdraft_limit)
    RETURNING a.seq, a.balance, a.currency INTO o_seq, o_balance_after, o_currency;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT a.slots INTO v_slots FROM ledger.account a WHERE a.id = p_account_id;
    IF v_slots > 1 AND EXISTS (SELECT 1 FROM ledger.account a
                                WHERE a.id = p_account_id AND a.allow_negative AND a.status = 'ACTIVE' AND NOT a.receive_only
                                  AND (p_currency IS NULL OR a.currency = p_currency)) THEN
        -- A hot account that may go negative (a rail's clearing account): no sum to check, so a debit takes one
        -- slot exactly as a credit does (a negative credit), and debits no longer queue on one row.
        SELECT * INTO o_slot, o_seq, o_balance_after, o_currency
          FROM ledger.post_credit_slot(p_account_id, -p_amount, p_currency, v_slots);
        RETURN;
    ELSIF v_slots > 1 THEN
        -- A hot account: lock slot 0 and then every other slot, in order, and debit slot 0 against the sum.
        PERFORM 1 FROM ledger.account WHERE id = p_account_id FOR NO KEY UPDATE;
        PERFORM 1 FROM ledger.account_slot WHERE account_id = p_account_id ORDER BY slot FOR NO KEY UPDATE;
        UPDATE ledger.account a
           SET balance = a.balance - p_amount, seq = a.seq + 1
         WHERE a.id = p_account_id AND a.status = 'ACTIVE' AND NOT a.receive_only
           AND (p_currency IS NULL OR a.currency = p_currency) AND scale(p_amount) <= a.minor_units
           AND ledger.available(a.id) - p_amount >= 0
        RETURNING a.seq, a.balance, a.currency INTO o_seq, o_balance_after, o_currency;
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    PERFORM ledger.refuse(p_account_id, p_amount, p_currency, true);
END
$$;
COMMENT ON FUNCTION ledger.post_debit(bigint, numeric, text) IS
'Debit one account under its row lock: one conditional UPDATE checks status, currency, precision, receive-only
and available funds and returns the slot, new sequence number and balance. Hot accounts lock all their slots and
debit slot 0 against their sum, except those that allow negative balances: they debit one slot, as a credit does.
Errors: none of its own. Assumes READ COMMITTED.';

COMMIT;
