-- Deploy mercato:functions/ledger/guards to pg
-- The triggers that keep the ledger balanced and immutable whoever writes to it, the owner included: the entries of
-- every INSERT balance per transaction and currency and name existing rows (entry_balanced); entries, transactions,
-- holds, accounts and slots are never deleted and their terms never change (core.refuse_change_trg); a hot account
-- cannot overdraw (account_hot_policy); a transaction is reversed once (transaction_reversed_once); a hold resolves
-- once (hold_resolve_once). The functions of functions/ledger/* follow these rules themselves; the triggers hold them
-- for any other writer too.

BEGIN;

-- ------------------------------------------------------------------------------------------------
-- Guards: balanced, immutable, resolve-once. They hold for every role, the owner included.
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.entry_balanced_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_known    boolean;
    v_first    text;
    v_last     text;
    v_tx       bigint;
    v_currency text;
    v_sum      numeric;
    v_account  bigint;
BEGIN
    -- One plain aggregate (no sort, four aggregates) settles the usual statement: the entries of one transaction in
    -- one currency, naming existing accounts and transaction.
    SELECT bool_and(a.id IS NOT NULL AND t.id IS NOT NULL), min(n.transaction_id || ' ' || a.currency),
           max(n.transaction_id || ' ' || a.currency), sum(n.amount)
      INTO v_known, v_first, v_last, v_sum
      FROM new_entries n
      LEFT JOIN ledger.account a ON a.id = n.account_id
      LEFT JOIN ledger.transaction t ON t.id = n.transaction_id;
    IF NOT v_known THEN
        SELECT n.account_id INTO v_account
          FROM new_entries n WHERE NOT EXISTS (SELECT 1 FROM ledger.account a WHERE a.id = n.account_id) LIMIT 1;
        IF FOUND THEN
            PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('an entry names account %s', v_account));
        END IF;
        SELECT n.transaction_id INTO v_tx
          FROM new_entries n WHERE NOT EXISTS (SELECT 1 FROM ledger.transaction t WHERE t.id = n.transaction_id) LIMIT 1;
        PERFORM core.raise('LEDGER_UNKNOWN_TRANSACTION', format('an entry names transaction %s', v_tx));
    ELSIF v_first = v_last THEN
        IF v_sum <> 0 THEN
            PERFORM core.raise('LEDGER_UNBALANCED', format('transaction %s is off by %s', v_first, v_sum));
        END IF;
    ELSE
        -- Several transactions (a batch) or currencies: balance each (transaction, currency).
        SELECT n.transaction_id, a.currency, sum(n.amount) INTO v_tx, v_currency, v_sum
          FROM new_entries n JOIN ledger.account a ON a.id = n.account_id
         GROUP BY n.transaction_id, a.currency
        HAVING sum(n.amount) <> 0
         LIMIT 1;
        IF FOUND THEN
            PERFORM core.raise('LEDGER_UNBALANCED', format('transaction %s is off by %s %s', v_tx, v_sum, v_currency));
        END IF;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ledger.entry_balanced_trg() IS
'Statement trigger on ledger.entry: the entries inserted by one statement must balance per transaction and currency
(LEDGER_UNBALANCED), and name an existing account (LEDGER_UNKNOWN_ACCOUNT) and transaction
(LEDGER_UNKNOWN_TRANSACTION). Every posting writes all legs of a transaction in one INSERT, so each statement
balances and therefore so does every transaction, at every moment: this is stronger than a deferred check at
commit, and costs one query per statement instead of one per row. Holds for every role, the owner included.
Assumes READ COMMITTED.';

CREATE TRIGGER entry_balanced AFTER INSERT ON ledger.entry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger.entry_balanced_trg();

CREATE TRIGGER entry_immutable BEFORE UPDATE OR DELETE ON ledger.entry
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON ledger.entry
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
CREATE TRIGGER transaction_no_delete BEFORE DELETE OR TRUNCATE ON ledger.transaction
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
CREATE TRIGGER hold_no_delete BEFORE DELETE OR TRUNCATE ON ledger.hold
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
CREATE TRIGGER account_no_delete BEFORE DELETE OR TRUNCATE ON ledger.account
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
CREATE TRIGGER account_slot_no_delete BEFORE DELETE OR TRUNCATE ON ledger.account_slot
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');

CREATE FUNCTION ledger.account_hot_policy_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM core.raise('LEDGER_HOT_ACCOUNT_POLICY', format('account %s has %s slots: it cannot overdraw', NEW.id, NEW.slots));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ledger.account_hot_policy_trg() IS
'Trigger: a hot account (slots > 1) cannot allow negative balances or an overdraft (LEDGER_HOT_ACCOUNT_POLICY): its
debits are checked against the sum of its slots, which only works for accounts that never go below zero.
Assumes READ COMMITTED.';

-- A column trigger rather than a CHECK constraint: balance updates never fire it (nor re-plan it).
CREATE TRIGGER account_hot_policy BEFORE INSERT OR UPDATE OF slots, allow_negative, overdraft_limit ON ledger.account
    FOR EACH ROW WHEN (NEW.slots > 1 AND (NEW.allow_negative OR NEW.overdraft_limit > 0))
    EXECUTE FUNCTION ledger.account_hot_policy_trg();

CREATE TRIGGER account_terms_immutable
    BEFORE UPDATE OF id, owner_type, owner_id, purpose, currency, minor_units, slots, created_at ON ledger.account
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
CREATE TRIGGER account_slot_terms_immutable
    BEFORE UPDATE OF account_id, slot, currency, minor_units ON ledger.account_slot
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');

-- Column triggers (UPDATE OF ...) cost nothing unless the statement assigns one of those columns, and small
-- WHEN clauses keep the row triggers off the normal path: the guards are free for the postings themselves.
CREATE TRIGGER transaction_immutable
    BEFORE UPDATE OF id, reference, kind, request_hash, memo, metadata, reversal_of, posted_at ON ledger.transaction
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
-- The one change ever made to a posted transaction: reversed_by is set once, when it is reversed.
CREATE TRIGGER transaction_reversed_once BEFORE UPDATE OF reversed_by ON ledger.transaction
    FOR EACH ROW WHEN (OLD.reversed_by IS NOT NULL) EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');

CREATE FUNCTION ledger.hold_resolved_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM core.raise('LEDGER_HOLD_RESOLVED', format('hold %s is %s', OLD.id, OLD.status));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ledger.hold_resolved_trg() IS
'Trigger: a resolved hold (CAPTURED, RELEASED, EXPIRED) never changes again (LEDGER_HOLD_RESOLVED), whoever updates it.
Assumes READ COMMITTED.';

-- A hold changes once, from OPEN to its resolution; its terms (account, amount, expiry, reference) never change.
CREATE TRIGGER hold_terms_immutable
    BEFORE UPDATE OF id, reference, request_hash, account_id, amount, memo, expires_at, created_at ON ledger.hold
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('LEDGER_IMMUTABLE');
CREATE TRIGGER hold_resolve_once BEFORE UPDATE ON ledger.hold
    FOR EACH ROW WHEN (OLD.status <> 'OPEN') EXECUTE FUNCTION ledger.hold_resolved_trg();

COMMIT;
