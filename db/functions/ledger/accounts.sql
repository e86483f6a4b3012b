-- Deploy mercato:functions/ledger/accounts to pg
-- Open an account (plain or hot), freeze, unfreeze or close it, and read its current balance.
--
-- Concurrency, locks and idempotency: see the header of functions/ledger/posting.

BEGIN;

-- ------------------------------------------------------------------------------------------------
-- Accounts
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.open_account(
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
    ELSIF p_slots > 1 AND (p_allow_negative OR p_overdraft_limit > 0) THEN
        PERFORM core.raise('LEDGER_HOT_ACCOUNT_POLICY', 'a hot account (slots > 1) cannot overdraw');
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
p_slots > 1 makes a hot account whose balance is spread over slots (for accounts credited by everyone,
e.g. platform commission); hot accounts cannot overdraw or carry holds.
Errors: LEDGER_ACCOUNT_INVALID, LEDGER_HOT_ACCOUNT_POLICY, LEDGER_AMOUNT_PRECISION, MASTERDATA_UNKNOWN_CURRENCY,
LEDGER_ACCOUNT_EXISTS. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.set_account_status(p_account_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v ledger.account;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('ACTIVE', 'FROZEN', 'CLOSED') THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID', 'status must be ACTIVE, FROZEN or CLOSED');
    END IF;
    SELECT * INTO v FROM ledger.account WHERE id = p_account_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
    END IF;
    IF v.status = p_status THEN
        RETURN;
    END IF;
    IF v.status = 'CLOSED' THEN
        PERFORM core.raise('LEDGER_ACCOUNT_CLOSED', format('account %s is closed for good', p_account_id));
    END IF;
    PERFORM 1 FROM ledger.account_slot WHERE account_id = p_account_id ORDER BY slot FOR NO KEY UPDATE;
    IF p_status = 'CLOSED' AND (ledger.available(p_account_id) <> 0 OR v.held <> 0) THEN
        PERFORM core.raise('LEDGER_ACCOUNT_NOT_EMPTY',
                           format('account %s: balance %s, held %s', p_account_id, ledger.available(p_account_id) + v.held, v.held));
    END IF;
    UPDATE ledger.account SET status = p_status WHERE id = p_account_id;
    UPDATE ledger.account_slot SET active = (p_status = 'ACTIVE') WHERE account_id = p_account_id;
END
$$;
COMMENT ON FUNCTION ledger.set_account_status(bigint, text) IS
'Freeze, unfreeze or close an account. Frozen and closed accounts refuse postings and holds; closing needs a
zero balance and no open holds and is final. Errors: LEDGER_ACCOUNT_INVALID, LEDGER_UNKNOWN_ACCOUNT,
LEDGER_ACCOUNT_CLOSED, LEDGER_ACCOUNT_NOT_EMPTY. Locks the account and its slots, so it orders after postings in flight.
Assumes READ COMMITTED.';

-- ------------------------------------------------------------------------------------------------
-- Balance
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.account_balance(p_account_id bigint)
RETURNS TABLE (account_id bigint, currency text, balance numeric, held numeric, available numeric, status text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT a.id, a.currency::text, a.balance + s.total, a.held, a.balance + s.total - a.held, a.status::text
      FROM ledger.account a,
           LATERAL (SELECT coalesce(sum(x.balance), 0) AS total FROM ledger.account_slot x WHERE x.account_id = a.id) s
     WHERE a.id = p_account_id;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
    END IF;
END
$$;
COMMENT ON FUNCTION ledger.account_balance(bigint) IS
'Balance (over all slots), held and available = balance - held of an account, with its currency and status.
Error: LEDGER_UNKNOWN_ACCOUNT.
Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
