-- Deploy mercato:functions/ledger/overdraft_limit to pg
-- Change an account's overdraft limit (issue 20: a credit line's limit IS its account's overdraft limit). One
-- conditional UPDATE: it waits for postings in flight on the account's row and re-checks after them, so no limit is
-- ever set below the debt a concurrent debit just made. Hot accounts cannot overdraw (the account_hot_policy trigger).
-- Internal: the owner executes it; a product calls it after its own rules (credit.apply_line_limit).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION ledger.set_overdraft_limit(p_account_id bigint, p_limit numeric)
RETURNS numeric
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v ledger.account;
BEGIN
    IF p_limit IS NULL OR p_limit < 0 OR p_limit >= 1e15 THEN
        PERFORM core.raise('LEDGER_ACCOUNT_INVALID', 'overdraft_limit must be between 0 and 10^15');
    END IF;
    UPDATE ledger.account a SET overdraft_limit = p_limit
     WHERE a.id = p_account_id AND a.status <> 'CLOSED' AND scale(p_limit) <= a.minor_units
       AND (a.allow_negative OR a.slots > 1 OR a.balance - a.held >= -p_limit)
    RETURNING a.* INTO v;
    IF FOUND THEN
        RETURN v.overdraft_limit;
    END IF;
    SELECT * INTO v FROM ledger.account a WHERE a.id = p_account_id;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
    ELSIF v.status = 'CLOSED' THEN
        PERFORM core.raise('LEDGER_ACCOUNT_CLOSED', format('account %s is closed for good', p_account_id));
    ELSIF scale(p_limit) > v.minor_units THEN
        PERFORM core.raise('LEDGER_AMOUNT_PRECISION', format('overdraft_limit %s in %s', p_limit, v.currency));
    END IF;
    PERFORM core.raise('LEDGER_OVERDRAFT_BELOW_DEBT',
                       format('account %s: balance %s, held %s, so the overdraft limit must be at least %s, not %s',
                              p_account_id, v.balance, v.held, v.held - v.balance, p_limit));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ledger.set_overdraft_limit(bigint, numeric) IS
'Set an account''s overdraft limit (how far below zero its available balance may go); returns it. One conditional
UPDATE under the account''s row lock: refused when available (balance - held) is already below -p_limit, so a limit is
never set below the current debt (LEDGER_OVERDRAFT_BELOW_DEBT, with the figures). Audited (account_policy_audit).
Hot accounts refuse any overdraft (LEDGER_HOT_ACCOUNT_POLICY); closed ones any change. Internal: no API role executes it.
Errors: LEDGER_ACCOUNT_INVALID, LEDGER_UNKNOWN_ACCOUNT, LEDGER_ACCOUNT_CLOSED, LEDGER_AMOUNT_PRECISION,
LEDGER_HOT_ACCOUNT_POLICY, LEDGER_OVERDRAFT_BELOW_DEBT. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION ledger.set_overdraft_limit(bigint, numeric) FROM PUBLIC;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('LEDGER_OVERDRAFT_BELOW_DEBT', 'ledger', 'PT409', 'the overdraft limit would be below the account''s current debt',
 'settle part of the debt first, or choose a higher limit',
 'ledger.set_overdraft_limit refuses a limit smaller than -(balance - held); the detail gives the figures.');

COMMIT;
