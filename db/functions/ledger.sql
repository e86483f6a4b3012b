-- Deploy mercato:functions/ledger to pg
-- Postings (transfer, post, post_batch), holds (create, capture, release, expire), reversals,
-- reads (balance, balance_at, statement), the integrity check, and the triggers that keep the
-- ledger balanced and immutable whoever writes to it.
--
-- Concurrency: every function assumes READ COMMITTED. Account rows (and hot-account slots) are locked
-- in ascending (account_id, slot) order, holds before accounts; balances move with conditional
-- UPDATE ... WHERE <rule> RETURNING, never read-then-write. Explicit row locks are FOR NO KEY UPDATE (what
-- an UPDATE of non-key columns takes): FOR UPDATE would also block the FOR KEY SHARE locks that foreign-key
-- checks take on entries' accounts and transactions, and deadlock against concurrent postings.
-- Idempotency rides on the unique reference:
-- INSERT ... ON CONFLICT DO NOTHING makes a concurrent duplicate wait for the first and then replay it.

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

-- ------------------------------------------------------------------------------------------------
-- Internal building blocks (owner only; called from the SECURITY DEFINER API below)
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.parse_amount(p_value jsonb)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN jsonb_typeof(p_value) = 'number' THEN p_value::text::numeric
    WHEN jsonb_typeof(p_value) = 'string' AND (p_value #>> '{}') ~ '^-?[0-9]{1,18}(\.[0-9]{1,8})?$'
        THEN (p_value #>> '{}')::numeric
END;
COMMENT ON FUNCTION ledger.parse_amount(jsonb) IS
'An amount from JSON (a number, or a decimal string such as "12.50"); NULL when malformed.
Errors: none of its own. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.parse_id(p_value jsonb)
RETURNS bigint
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN jsonb_typeof(p_value) IN ('number', 'string') AND (p_value #>> '{}') ~ '^[0-9]{1,18}$'
        THEN (p_value #>> '{}')::bigint
END;
COMMENT ON FUNCTION ledger.parse_id(jsonb) IS
'An id from JSON (number or digit string); NULL when malformed. Errors: none of its own. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.check_reference(p_reference text)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_reference IS NULL OR length(p_reference) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('LEDGER_REFERENCE_INVALID',
                           CASE WHEN p_reference IS NULL THEN 'reference is NULL'
                                ELSE format('reference has %s characters', length(p_reference)) END);
    END IF;
END
$$;
COMMENT ON FUNCTION ledger.check_reference(text) IS
'Refuse a missing or overlong caller reference (LEDGER_REFERENCE_INVALID). Assumes READ COMMITTED.';

CREATE FUNCTION ledger.check_amount(p_amount numeric, p_what text DEFAULT 'amount')
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e15 THEN
        PERFORM core.raise('LEDGER_AMOUNT_INVALID', format('%s is %s', p_what, coalesce(p_amount::text, 'NULL')));
    END IF;
END
$$;
COMMENT ON FUNCTION ledger.check_amount(numeric, text) IS
'Refuse a NULL, non-positive or huge amount (LEDGER_AMOUNT_INVALID). Assumes READ COMMITTED.';

CREATE FUNCTION ledger.check_memo(p_memo text)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF length(p_memo) > 500 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', format('memo has %s characters (at most 500)', length(p_memo)));
    END IF;
END
$$;
COMMENT ON FUNCTION ledger.check_memo(text) IS
'Refuse a memo over 500 characters (CORE_INVALID_ARGUMENT). Assumes READ COMMITTED.';

CREATE FUNCTION ledger.replay(p_reference text, p_request_hash uuid)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id   bigint;
    v_hash uuid;
BEGIN
    SELECT id, request_hash INTO v_id, v_hash FROM ledger.transaction WHERE reference = p_reference;
    IF v_hash IS DISTINCT FROM p_request_hash THEN
        PERFORM core.raise('LEDGER_IDEMPOTENCY_CONFLICT', format('reference %s is transaction %s', p_reference, v_id));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION ledger.replay(text, uuid) IS
'The transaction already posted under a reference, if the request is the same; else LEDGER_IDEMPOTENCY_CONFLICT.
Assumes READ COMMITTED.';

CREATE FUNCTION ledger.available(p_account_id bigint)
RETURNS numeric
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT a.balance - a.held + coalesce((SELECT sum(s.balance) FROM ledger.account_slot s WHERE s.account_id = a.id), 0)
          FROM ledger.account a WHERE a.id = p_account_id);
COMMENT ON FUNCTION ledger.available(bigint) IS
'balance (over all slots) minus held, for one account. Errors: none of its own. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.refuse(p_account_id bigint, p_amount numeric, p_currency text, p_debit boolean)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v ledger.account;
BEGIN
    SELECT * INTO v FROM ledger.account WHERE id = p_account_id;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
    ELSIF v.status = 'CLOSED' THEN
        PERFORM core.raise('LEDGER_ACCOUNT_CLOSED', format('account %s', p_account_id));
    ELSIF v.status = 'FROZEN' THEN
        PERFORM core.raise('LEDGER_ACCOUNT_FROZEN', format('account %s', p_account_id));
    ELSIF p_currency IS NOT NULL AND v.currency <> p_currency THEN
        PERFORM core.raise('LEDGER_CURRENCY_MISMATCH',
                           format('account %s is in %s, the posting in %s', p_account_id, v.currency, p_currency));
    ELSIF scale(p_amount) > v.minor_units THEN
        PERFORM core.raise('LEDGER_AMOUNT_PRECISION',
                           format('%s has %s decimals; %s allows %s', p_amount, scale(p_amount), v.currency, v.minor_units));
    ELSIF p_debit AND v.receive_only THEN
        PERFORM core.raise('LEDGER_RECEIVE_ONLY', format('account %s', p_account_id));
    ELSIF p_debit THEN
        PERFORM core.raise('LEDGER_INSUFFICIENT_FUNDS',
                           format('account %s: available %s %s, needs %s%s', p_account_id, ledger.available(p_account_id),
                                  v.currency, p_amount,
                                  CASE WHEN v.overdraft_limit > 0 THEN format(' (overdraft limit %s)', v.overdraft_limit)
                                       ELSE '' END));
    END IF;
    PERFORM core.raise('LEDGER_ACCOUNT_INVALID', format('account %s changed concurrently; retry', p_account_id));
END
$$;
COMMENT ON FUNCTION ledger.refuse(bigint, numeric, text, boolean) IS
'Explain why a conditional balance UPDATE matched no row, with the right stable code (never returns).
Runs only on the refusal path, so postings that succeed pay nothing for the diagnosis.
Errors: none of its own. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.post_debit(
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
    SELECT slots INTO v_slots FROM ledger.account WHERE id = p_account_id;
    IF v_slots > 1 THEN
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
and available funds and returns the slot, new sequence number and balance. Hot accounts lock all their slots.
Errors: none of its own. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.build_reference(p_entity text, p_id bigint, p_step text, VARIADIC p_parts text[] DEFAULT '{}')
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN array_to_string(ARRAY[p_entity, p_id::text, p_step] || p_parts, ':');
COMMENT ON FUNCTION ledger.build_reference(text, bigint, text, text[]) IS
'The ledger reference (idempotency key) of one step of a module''s entity: entity:id:step[:part…], e.g.
ledger.build_reference(''contract-line'', 12, ''hold'', ''450'', ''0'') = ''contract-line:12:hold:450:0''. The one builder of
the references modules post under, so that a retry of the same step always names the same key. The parts must be
derived from the entity''s state (the same state gives the same key).';

CREATE FUNCTION ledger.cached_slots(p_cache text, p_account_id bigint)
RETURNS smallint
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT n::smallint FROM substring(p_cache FROM ' ' || p_account_id || ':([0-9]{1,2}) ') n WHERE n::integer BETWEEN 2 AND 64);
COMMENT ON FUNCTION ledger.cached_slots(text, bigint) IS
'The slot count the session cache ledger.hot_accounts (" id:slots ...") remembers for an account, or NULL when it
holds none or nothing a hot account could have (2..64). That setting is session state that any role may set, also on
a pooled backend another client used before: whatever it says is only a hint, a wrong one costs a fallback to the
ordinary path (ledger.post_credit_slot), never an error or a misposting.';

CREATE FUNCTION ledger.post_credit_slot(
    p_account_id bigint, p_amount numeric, p_currency text, p_slots smallint DEFAULT NULL,
    OUT o_slot smallint, OUT o_seq bigint, OUT o_balance_after numeric, OUT o_currency text)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_slots smallint := p_slots;
    v_cnt   integer;
    v_first integer;
    v_key   integer;
BEGIN
    IF v_slots IS NULL THEN
        SELECT a.slots INTO v_slots FROM ledger.account a WHERE a.id = p_account_id;
        IF v_slots > 1 AND coalesce(strpos(current_setting('ledger.hot_accounts', true), ' ' || p_account_id || ':'), 0) = 0 THEN
            -- Remember it for this session (see ledger.transfer): an account's slot count never changes.
            PERFORM set_config('ledger.hot_accounts',
                               CASE WHEN length(current_setting('ledger.hot_accounts', true)) < 4000
                                    THEN current_setting('ledger.hot_accounts', true) ELSE ' ' END
                               || p_account_id || ':' || v_slots || ' ', false);
        END IF;
    END IF;
    IF v_slots > 1 THEN
        -- A hot account: credit one of its slots 1..slots-1, starting from the one this backend prefers and
        -- claiming it with a transaction-level advisory try-lock (in memory: no WAL, no page write), so that
        -- concurrent credits take different slots instead of queueing on one row. The advisory lock only
        -- steers the choice; the slot row's own lock (taken by the UPDATE) is what protects the balance.
        v_cnt := v_slots - 1;
        v_first := pg_backend_pid() % v_cnt;
        v_key := (p_account_id % 2147483647)::integer;
        o_slot := 1 + v_first;
        FOR k IN 0 .. v_cnt - 1 LOOP
            IF pg_try_advisory_xact_lock(v_key, 1 + (v_first + k) % v_cnt) THEN
                o_slot := 1 + (v_first + k) % v_cnt;
                EXIT;
            END IF;
        END LOOP;   -- every slot claimed (more concurrent credits than slots): queue on this backend's own slot
        UPDATE ledger.account_slot s
           SET balance = s.balance + p_amount, seq = s.seq + 1
         WHERE s.account_id = p_account_id AND s.slot = o_slot AND s.active
           AND (p_currency IS NULL OR s.currency = p_currency) AND scale(p_amount) <= s.minor_units
        RETURNING s.seq, s.balance, s.currency INTO o_seq, o_balance_after, o_currency;
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    IF p_slots IS NOT NULL THEN
        -- The caller's idea of the account was wrong (a tampered session cache): post it the ordinary way.
        SELECT * INTO o_slot, o_seq, o_balance_after, o_currency FROM ledger.post_credit(p_account_id, p_amount, p_currency);
        RETURN;
    END IF;
    PERFORM ledger.refuse(p_account_id, p_amount, p_currency, false);
END
$$;
COMMENT ON FUNCTION ledger.post_credit_slot(bigint, numeric, text, smallint) IS
'Credit a hot account on one of its extra slots (the backend''s own slot unless a concurrent credit holds it, then
the next free one), or explain why a plain account refused the credit. Called after the plain-account UPDATE
matched no row, or directly with p_slots when the caller already knows the account is hot (slots never change).
Returns the slot, its new sequence number and balance. A credit locks one slot row only, so it cannot deadlock
with another credit; a hot debit locks every slot in ascending order. Errors: LEDGER_UNKNOWN_ACCOUNT,
LEDGER_ACCOUNT_FROZEN, LEDGER_ACCOUNT_CLOSED, LEDGER_CURRENCY_MISMATCH, LEDGER_AMOUNT_PRECISION. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.post_credit(
    p_account_id bigint, p_amount numeric, p_currency text,
    OUT o_slot smallint, OUT o_seq bigint, OUT o_balance_after numeric, OUT o_currency text)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    o_slot := 0;
    UPDATE ledger.account a
       SET balance = a.balance + p_amount, seq = a.seq + 1
     WHERE a.id = p_account_id AND a.status = 'ACTIVE' AND a.slots = 1
       AND (p_currency IS NULL OR a.currency = p_currency) AND scale(p_amount) <= a.minor_units
    RETURNING a.seq, a.balance, a.currency INTO o_seq, o_balance_after, o_currency;
    IF NOT FOUND THEN
        SELECT * INTO o_slot, o_seq, o_balance_after, o_currency FROM ledger.post_credit_slot(p_account_id, p_amount, p_currency);
    END IF;
END
$$;
COMMENT ON FUNCTION ledger.post_credit(bigint, numeric, text) IS
'Credit one account under its row lock (hot accounts: one of their slots, see ledger.post_credit_slot).
Returns the slot, new sequence number and balance of that slot.
Errors: none of its own. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.apply_legs(p_transaction_id bigint, p_account_ids bigint[], p_amounts numeric[], p_currency text[])
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_slot  smallint[] := '{}'::smallint[];
    v_seq   bigint[] := '{}'::bigint[];
    v_after numeric[] := '{}'::numeric[];
    v_now   timestamptz;
    r       record;
BEGIN
    -- p_account_ids is sorted ascending and distinct: locks are taken in that order.
    FOR i IN 1 .. cardinality(p_account_ids) LOOP
        IF p_amounts[i] < 0 THEN
            SELECT * INTO r FROM ledger.post_debit(p_account_ids[i], -p_amounts[i], p_currency[i]);
        ELSE
            SELECT * INTO r FROM ledger.post_credit(p_account_ids[i], p_amounts[i], p_currency[i]);
        END IF;
        v_slot := v_slot || r.o_slot;
        v_seq := v_seq || r.o_seq;
        v_after := v_after || r.o_balance_after;
    END LOOP;
    v_now := clock_timestamp();   -- after every lock is held: within a slot, posted_at never decreases
    INSERT INTO ledger.entry (transaction_id, account_id, slot, seq, amount, balance_before, balance_after, posted_at)
    SELECT p_transaction_id, u.account_id, u.slot, u.seq, u.amount, u.balance_after - u.amount, u.balance_after, v_now
      FROM unnest(p_account_ids, v_slot, v_seq, p_amounts, v_after) AS u(account_id, slot, seq, amount, balance_after);
END
$$;
COMMENT ON FUNCTION ledger.apply_legs(bigint, bigint[], numeric[], text[]) IS
'Post the netted legs of one transaction (accounts sorted ascending, signed amounts) and write their entries
in one INSERT. Used by post, capture_hold and reverse.
Errors: none of its own. Assumes READ COMMITTED.';

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
-- Postings
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.transfer(
    p_reference         text,
    p_debit_account_id  bigint,
    p_credit_account_id bigint,
    p_amount            numeric,
    p_memo              text DEFAULT NULL,
    p_metadata          jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tx       bigint;
    v_hash     uuid;
    v_currency text;
    d_slot     smallint := 0;
    d_seq      bigint;
    d_after    numeric;
    c_slot     smallint := 0;
    c_slots    smallint;
    v_cache    text;
    c_seq      bigint;
    c_after    numeric;
    v_now      timestamptz;
BEGIN
    -- The hot path of the whole platform: checks are inlined (a helper call costs a query each) and
    -- only the refusal path calls out.
    IF p_reference IS NULL OR length(p_reference) NOT BETWEEN 1 AND 200 THEN
        PERFORM ledger.check_reference(p_reference);
    ELSIF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e15 THEN
        PERFORM ledger.check_amount(p_amount);
    ELSIF length(p_memo) > 500 THEN
        PERFORM ledger.check_memo(p_memo);
    ELSIF p_debit_account_id IS NULL OR p_credit_account_id IS NULL THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', 'an account id is NULL');
    ELSIF p_debit_account_id = p_credit_account_id THEN
        PERFORM core.raise('LEDGER_SAME_ACCOUNT', format('account %s', p_debit_account_id));
    END IF;
    v_hash := md5(concat_ws('|', 'TRANSFER', p_debit_account_id, p_credit_account_id, trim_scale(p_amount),
                            quote_nullable(p_memo), quote_nullable(p_metadata::text)))::uuid;
    INSERT INTO ledger.transaction (reference, kind, request_hash, memo, metadata)
    VALUES (p_reference, 'TRANSFER', v_hash, p_memo, nullif(p_metadata, '{}'::jsonb))
    ON CONFLICT (reference) DO NOTHING
    RETURNING id INTO v_tx;
    IF v_tx IS NULL THEN
        RETURN ledger.replay(p_reference, v_hash);
    END IF;

    -- Hot accounts this session has already credited (ledger.post_credit_slot remembers them in the session setting
    -- ledger.hot_accounts as ' id:slots ', and slot counts never change) go straight to their slots. The setting is
    -- only a hint (any role can set it, a pooled backend keeps it): ledger.cached_slots accepts only what a hot account
    -- could have, and a wrong entry costs a fallback, never a misposting: the slot UPDATE matches the real slot rows
    -- or nothing.
    v_cache := current_setting('ledger.hot_accounts', true);
    IF strpos(v_cache, ' ' || p_credit_account_id || ':') > 0 THEN
        c_slots := ledger.cached_slots(v_cache, p_credit_account_id);
    END IF;
    IF c_slots > 1 THEN
        -- Pick its slot as ledger.post_credit_slot does (advisory try-locks only steer; they never wait).
        c_slot := 1 + pg_backend_pid() % (c_slots - 1);
        FOR k IN 0 .. c_slots - 2 LOOP
            IF pg_try_advisory_xact_lock((p_credit_account_id % 2147483647)::integer,
                                         1 + (pg_backend_pid() % (c_slots - 1) + k) % (c_slots - 1)) THEN
                c_slot := 1 + (pg_backend_pid() % (c_slots - 1) + k) % (c_slots - 1);
                EXIT;
            END IF;
        END LOOP;
    END IF;

    -- Lock order: ascending account id. The first UPDATE of each side is the plain-account fast path;
    -- post_debit / post_credit_slot handle hot accounts and explain refusals.
    IF p_debit_account_id < p_credit_account_id THEN
        UPDATE ledger.account a SET balance = a.balance - p_amount, seq = a.seq + 1
         WHERE a.id = p_debit_account_id AND a.status = 'ACTIVE' AND a.slots = 1 AND NOT a.receive_only
           AND scale(p_amount) <= a.minor_units AND (a.allow_negative OR a.balance - a.held - p_amount >= -a.overdraft_limit)
        RETURNING a.seq, a.balance, a.currency INTO d_seq, d_after, v_currency;
        IF NOT FOUND THEN
            SELECT o_slot, o_seq, o_balance_after, o_currency INTO d_slot, d_seq, d_after, v_currency
              FROM ledger.post_debit(p_debit_account_id, p_amount, NULL);
        END IF;
        IF c_slots > 1 THEN
            UPDATE ledger.account_slot s SET balance = s.balance + p_amount, seq = s.seq + 1
             WHERE s.account_id = p_credit_account_id AND s.slot = c_slot AND s.active AND s.currency = v_currency
               AND scale(p_amount) <= s.minor_units
            RETURNING s.seq, s.balance INTO c_seq, c_after;
            IF NOT FOUND THEN
                SELECT o_slot, o_seq, o_balance_after INTO c_slot, c_seq, c_after
                  FROM ledger.post_credit_slot(p_credit_account_id, p_amount, v_currency, c_slots);
            END IF;
        ELSE
            UPDATE ledger.account a SET balance = a.balance + p_amount, seq = a.seq + 1
             WHERE a.id = p_credit_account_id AND a.status = 'ACTIVE' AND a.slots = 1 AND a.currency = v_currency
               AND scale(p_amount) <= a.minor_units
            RETURNING a.seq, a.balance INTO c_seq, c_after;
            IF NOT FOUND THEN
                SELECT o_slot, o_seq, o_balance_after INTO c_slot, c_seq, c_after
                  FROM ledger.post_credit_slot(p_credit_account_id, p_amount, v_currency);
            END IF;
        END IF;
    ELSE
        IF c_slots > 1 THEN
            UPDATE ledger.account_slot s SET balance = s.balance + p_amount, seq = s.seq + 1
             WHERE s.account_id = p_credit_account_id AND s.slot = c_slot AND s.active AND scale(p_amount) <= s.minor_units
            RETURNING s.seq, s.balance, s.currency INTO c_seq, c_after, v_currency;
            IF NOT FOUND THEN
                SELECT o_slot, o_seq, o_balance_after, o_currency INTO c_slot, c_seq, c_after, v_currency
                  FROM ledger.post_credit_slot(p_credit_account_id, p_amount, NULL, c_slots);
            END IF;
        ELSE
            UPDATE ledger.account a SET balance = a.balance + p_amount, seq = a.seq + 1
             WHERE a.id = p_credit_account_id AND a.status = 'ACTIVE' AND a.slots = 1 AND scale(p_amount) <= a.minor_units
            RETURNING a.seq, a.balance, a.currency INTO c_seq, c_after, v_currency;
            IF NOT FOUND THEN
                SELECT o_slot, o_seq, o_balance_after, o_currency INTO c_slot, c_seq, c_after, v_currency
                  FROM ledger.post_credit_slot(p_credit_account_id, p_amount, NULL);
            END IF;
        END IF;
        UPDATE ledger.account a SET balance = a.balance - p_amount, seq = a.seq + 1
         WHERE a.id = p_debit_account_id AND a.status = 'ACTIVE' AND a.slots = 1 AND NOT a.receive_only
           AND a.currency = v_currency AND scale(p_amount) <= a.minor_units
           AND (a.allow_negative OR a.balance - a.held - p_amount >= -a.overdraft_limit)
        RETURNING a.seq, a.balance INTO d_seq, d_after;
        IF NOT FOUND THEN
            SELECT o_slot, o_seq, o_balance_after INTO d_slot, d_seq, d_after
              FROM ledger.post_debit(p_debit_account_id, p_amount, v_currency);
        END IF;
    END IF;
    v_now := clock_timestamp();
    INSERT INTO ledger.entry (transaction_id, account_id, slot, seq, amount, balance_before, balance_after, posted_at)
    VALUES (v_tx, p_debit_account_id, d_slot, d_seq, -p_amount, d_after + p_amount, d_after, v_now),
           (v_tx, p_credit_account_id, c_slot, c_seq, p_amount, c_after - p_amount, c_after, v_now);
    RETURN v_tx;
END
$$;
COMMENT ON FUNCTION ledger.transfer(text, bigint, bigint, numeric, text, jsonb) IS
'Move an amount from one account to another in one balanced transaction; returns the transaction id.
Idempotent on p_reference: the same request again returns the original id and posts nothing; a different
request with the same reference is LEDGER_IDEMPOTENCY_CONFLICT; concurrent duplicates post once.
Locks the two accounts in ascending id order (a hot account: one of its slots when credited, every slot when
debited, its sum checked). The hot path is four statements: the transaction row (whose unique reference is the
idempotency key), one conditional UPDATE per account, one INSERT of both entries. Errors: LEDGER_REFERENCE_INVALID,
LEDGER_AMOUNT_INVALID, CORE_INVALID_ARGUMENT (memo), LEDGER_AMOUNT_PRECISION, LEDGER_SAME_ACCOUNT, LEDGER_UNKNOWN_ACCOUNT,
LEDGER_ACCOUNT_FROZEN, LEDGER_ACCOUNT_CLOSED, LEDGER_CURRENCY_MISMATCH, LEDGER_RECEIVE_ONLY, LEDGER_INSUFFICIENT_FUNDS,
LEDGER_IDEMPOTENCY_CONFLICT. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.post(p_reference text, p_legs jsonb, p_memo text DEFAULT NULL, p_metadata jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tx       bigint;
    v_hash     uuid;
    v_ids      bigint[];
    v_amounts  numeric[];
    v_currency text[];
    v_canon    text;
    v_bad      text;
    v_malformed boolean;
    v_min      numeric;
    v_max      numeric;
BEGIN
    PERFORM ledger.check_reference(p_reference);
    PERFORM ledger.check_memo(p_memo);
    IF p_legs IS NULL OR jsonb_typeof(p_legs) <> 'array' OR jsonb_array_length(p_legs) NOT BETWEEN 2 AND 100 THEN
        PERFORM core.raise('LEDGER_INVALID_LEGS', 'legs must be a JSON array of 2 to 100 legs');
    END IF;
    IF jsonb_path_exists(p_legs, 'strict $[*] ? (@.type() != "object")') THEN
        PERFORM core.raise('LEDGER_INVALID_LEGS', 'every leg must be a JSON object',
                           'a leg is {"account_id": 1, "amount": "10.00", "side": "DEBIT"}');
    END IF;
    -- One query: parse (inline), flag malformed legs, net the legs per account ascending (the lock order), and
    -- build the canonical form of the request.
    SELECT array_agg(n.account_id ORDER BY n.account_id), array_agg(n.delta ORDER BY n.account_id),
           array_agg(a.currency::text ORDER BY n.account_id),
           string_agg(n.account_id || ':' || trim_scale(n.delta), ',' ORDER BY n.account_id),
           bool_or(n.bad), min(n.lo), max(n.hi)
      INTO v_ids, v_amounts, v_currency, v_canon, v_malformed, v_min, v_max
      FROM (SELECT y.i AS account_id, sum(CASE y.side WHEN 'CREDIT' THEN y.m ELSE -y.m END) AS delta,
                   bool_or(y.i IS NULL OR y.m IS NULL OR y.side IS NULL OR y.side NOT IN ('DEBIT', 'CREDIT')) AS bad,
                   min(y.m) AS lo, max(y.m) AS hi
              FROM (SELECT CASE WHEN l.account_id ~ '^[0-9]{1,18}$' THEN l.account_id::bigint END AS i,
                           CASE WHEN l.amount ~ '^-?[0-9]{1,18}(\.[0-9]{1,8})?$' THEN l.amount::numeric END AS m,
                           l.side
                      FROM jsonb_to_recordset(p_legs) AS l(account_id text, amount text, side text)) y
             GROUP BY y.i) n
      LEFT JOIN ledger.account a ON a.id = n.account_id;
    IF v_malformed THEN
        SELECT format('leg %s: %s', n, l) INTO v_bad
          FROM jsonb_array_elements(p_legs) WITH ORDINALITY AS x(l, n)
         WHERE ledger.parse_id(l -> 'account_id') IS NULL OR ledger.parse_amount(l -> 'amount') IS NULL
            OR (l ->> 'side') IS DISTINCT FROM 'DEBIT' AND (l ->> 'side') IS DISTINCT FROM 'CREDIT'
         LIMIT 1;
        PERFORM core.raise('LEDGER_INVALID_LEGS', left(v_bad, 300), 'a leg is {"account_id": 1, "amount": "10.00", "side": "DEBIT"}');
    ELSIF v_min <= 0 OR v_max >= 1e15 THEN
        PERFORM ledger.check_amount(CASE WHEN v_min <= 0 THEN v_min ELSE v_max END, 'a leg amount');
    END IF;
    IF array_position(v_currency, NULL) IS NOT NULL THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', v_ids[array_position(v_currency, NULL)]));
    END IF;
    IF cardinality(v_ids) < 2 OR 0 = ANY (v_amounts) THEN
        PERFORM core.raise('LEDGER_INVALID_LEGS', 'legs must touch at least two accounts, and no account''s legs may net to zero');
    END IF;
    SELECT format('%s is off by %s', c, s) INTO v_bad
      FROM (SELECT c, sum(m) AS s FROM unnest(v_currency, v_amounts) AS u(c, m) GROUP BY c) t WHERE s <> 0 LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('LEDGER_UNBALANCED', v_bad);
    END IF;
    -- The request is identified by its netted legs (trailing zeros trimmed), memo and metadata.
    v_hash := md5(concat_ws('|', 'POST', v_canon, quote_nullable(p_memo), quote_nullable(p_metadata::text)))::uuid;
    INSERT INTO ledger.transaction (reference, kind, request_hash, memo, metadata)
    VALUES (p_reference, 'POST', v_hash, p_memo, nullif(p_metadata, '{}'::jsonb))
    ON CONFLICT (reference) DO NOTHING
    RETURNING id INTO v_tx;
    IF v_tx IS NULL THEN
        RETURN ledger.replay(p_reference, v_hash);
    END IF;
    PERFORM ledger.apply_legs(v_tx, v_ids, v_amounts, v_currency);
    RETURN v_tx;
END
$$;
COMMENT ON FUNCTION ledger.post(text, jsonb, text, jsonb) IS
'Post a multi-leg transaction: p_legs = [{"account_id": 1, "amount": "10.00", "side": "DEBIT"}, ...]; returns its id.
Legs are netted per account (one entry per account) and must balance per currency. Idempotent on p_reference.
Errors: LEDGER_INVALID_LEGS, LEDGER_UNBALANCED, LEDGER_AMOUNT_INVALID, LEDGER_UNKNOWN_ACCOUNT and every
transfer error. Locks accounts in ascending id order; assumes READ COMMITTED.';

CREATE FUNCTION ledger.post_batch(p_transfers jsonb)
RETURNS TABLE (reference text, transaction_id bigint)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ref   text[];
    v_deb   bigint[];
    v_cred  bigint[];
    v_amt   numeric[];
    v_memo  text[];
    v_hash  uuid[];
    v_ids   bigint[];
    v_txid  bigint[];
    v_new   boolean[];
    v_bad   text;
    v_bad_n bigint;
    v_same_n bigint;
    v_min   numeric;
    v_max   numeric;
    v_distinct bigint;
    v_acc   record;
    v_now   timestamptz;
BEGIN
    IF p_transfers IS NULL OR jsonb_typeof(p_transfers) <> 'array' OR jsonb_array_length(p_transfers) NOT BETWEEN 1 AND 10000 THEN
        PERFORM core.raise('LEDGER_INVALID_BATCH', 'transfers must be a JSON array of 1 to 10000 transfers');
    END IF;
    IF jsonb_path_exists(p_transfers, 'strict $[*] ? (@.type() != "object")') THEN
        PERFORM core.raise('LEDGER_INVALID_BATCH', 'every transfer must be a JSON object');
    END IF;
    -- One pass over the document: parse (inline, no helper calls per element), validate and summarise.
    SELECT array_agg(u.r ORDER BY u.n), array_agg(u.d ORDER BY u.n), array_agg(u.c ORDER BY u.n), array_agg(u.a ORDER BY u.n),
           array_agg(u.m ORDER BY u.n),
           min(u.n) FILTER (WHERE u.r IS NULL OR length(u.r) NOT BETWEEN 1 AND 200 OR u.d IS NULL OR u.c IS NULL OR u.a IS NULL
                                  OR length(u.m) > 500),
           min(u.a), max(u.a), min(u.n) FILTER (WHERE u.d = u.c), count(DISTINCT u.r)
      INTO v_ref, v_deb, v_cred, v_amt, v_memo, v_bad_n, v_min, v_max, v_same_n, v_distinct
      FROM (SELECT x.reference AS r,
                   CASE WHEN x.debit_account_id ~ '^[0-9]{1,18}$' THEN x.debit_account_id::bigint END AS d,
                   CASE WHEN x.credit_account_id ~ '^[0-9]{1,18}$' THEN x.credit_account_id::bigint END AS c,
                   CASE WHEN x.amount ~ '^-?[0-9]{1,18}(\.[0-9]{1,8})?$' THEN x.amount::numeric END AS a,
                   x.memo AS m, x.n
              FROM ROWS FROM (jsonb_to_recordset(p_transfers)
                              AS (reference text, debit_account_id text, credit_account_id text, amount text, memo text))
                   WITH ORDINALITY AS x(reference, debit_account_id, credit_account_id, amount, memo, n)) u;
    IF v_bad_n IS NOT NULL THEN
        PERFORM core.raise('LEDGER_INVALID_BATCH', format('transfer %s: %s', v_bad_n, left((p_transfers -> (v_bad_n::int - 1))::text, 200)),
                           'each transfer is {"reference", "debit_account_id", "credit_account_id", "amount", "memo"?}');
    ELSIF v_min <= 0 OR v_max >= 1e15 THEN
        PERFORM ledger.check_amount(CASE WHEN v_min <= 0 THEN v_min ELSE v_max END, 'a transfer amount');
    ELSIF v_same_n IS NOT NULL THEN
        PERFORM core.raise('LEDGER_SAME_ACCOUNT', format('transfer %s debits and credits account %s', v_same_n, v_deb[v_same_n]));
    ELSIF v_distinct <> cardinality(v_ref) THEN
        PERFORM core.raise('LEDGER_INVALID_BATCH', 'references must be unique within a batch');
    END IF;

    -- Lock every account involved, in ascending id order.
    SELECT array_agg(DISTINCT i ORDER BY i) INTO v_ids FROM unnest(v_deb || v_cred) i;
    PERFORM 1 FROM ledger.account WHERE id = ANY (v_ids) ORDER BY id FOR NO KEY UPDATE;

    -- Validate every transfer against its (now locked, freshly read) accounts.
    SELECT u.n, u.d, u.c, u.a, da.id AS da_id, ca.id AS ca_id, da.currency AS d_cur, ca.currency AS c_cur,
           da.status AS d_status, ca.status AS c_status, da.minor_units AS d_units, da.receive_only, da.slots AS d_slots
      INTO v_acc
      FROM unnest(v_deb, v_cred, v_amt) WITH ORDINALITY AS u(d, c, a, n)
      LEFT JOIN ledger.account da ON da.id = u.d
      LEFT JOIN ledger.account ca ON ca.id = u.c
     WHERE da.id IS NULL OR ca.id IS NULL OR da.status <> 'ACTIVE' OR ca.status <> 'ACTIVE' OR da.currency <> ca.currency
        OR scale(u.a) > da.minor_units OR da.receive_only OR da.slots > 1
     ORDER BY u.n
     LIMIT 1;
    IF v_acc.n IS NOT NULL THEN
        IF v_acc.da_id IS NULL OR v_acc.ca_id IS NULL THEN
            PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('transfer %s: account %s', v_acc.n,
                                                                  CASE WHEN v_acc.da_id IS NULL THEN v_acc.d ELSE v_acc.c END));
        ELSIF v_acc.d_slots > 1 THEN
            PERFORM core.raise('LEDGER_HOT_ACCOUNT_POLICY', format('transfer %s debits hot account %s', v_acc.n, v_acc.d));
        ELSIF v_acc.d_status <> 'ACTIVE' THEN
            PERFORM ledger.refuse(v_acc.d, v_acc.a, NULL, true);
        ELSIF v_acc.c_status <> 'ACTIVE' THEN
            PERFORM ledger.refuse(v_acc.c, v_acc.a, NULL, false);
        ELSIF v_acc.d_cur <> v_acc.c_cur THEN
            PERFORM core.raise('LEDGER_CURRENCY_MISMATCH', format('transfer %s: %s to %s', v_acc.n, v_acc.d_cur, v_acc.c_cur));
        ELSE
            PERFORM ledger.refuse(v_acc.d, v_acc.a, v_acc.d_cur, true);
        END IF;
    END IF;

    -- Idempotency: insert the transactions; references already known must be exact replays.
    SELECT array_agg(md5(concat_ws('|', 'BATCH', d, c, trim_scale(a), quote_nullable(m)))::uuid ORDER BY n)
      INTO v_hash FROM unnest(v_deb, v_cred, v_amt, v_memo) WITH ORDINALITY AS u(d, c, a, m, n);
    WITH ins AS (
        INSERT INTO ledger.transaction (reference, kind, request_hash, memo)
        SELECT r, 'BATCH', h, m FROM unnest(v_ref, v_hash, v_memo) WITH ORDINALITY AS u(r, h, m, n) ORDER BY n
        ON CONFLICT ON CONSTRAINT transaction_reference_key DO NOTHING
        RETURNING id, ledger.transaction.reference
    )
    SELECT array_agg(coalesce(ins.id, t.id) ORDER BY u.n), array_agg(ins.id IS NOT NULL ORDER BY u.n),
           min(CASE WHEN ins.id IS NULL AND t.request_hash IS DISTINCT FROM u.h THEN u.r END)
      INTO v_txid, v_new, v_bad
      FROM unnest(v_ref, v_hash) WITH ORDINALITY AS u(r, h, n)
      LEFT JOIN ins ON ins.reference = u.r
      LEFT JOIN ledger.transaction t ON ins.id IS NULL AND t.reference = u.r;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('LEDGER_IDEMPOTENCY_CONFLICT', format('reference %s', v_bad));
    END IF;

    -- Funds: the net debit of every account must fit its available balance.
    SELECT a.id, a.balance - a.held AS avail, -d.delta AS need INTO v_acc
      FROM (SELECT i AS account_id, sum(m) AS delta
              FROM unnest(v_deb, v_cred, v_amt, v_new) AS u(d, c, a, nw),
                   LATERAL (VALUES (u.d, -u.a), (u.c, u.a)) AS l(i, m)
             WHERE u.nw GROUP BY i) d
      JOIN ledger.account a ON a.id = d.account_id
     WHERE d.delta < 0 AND NOT a.allow_negative AND a.balance - a.held + d.delta < -a.overdraft_limit
     ORDER BY a.id LIMIT 1;
    IF v_acc.id IS NOT NULL THEN
        PERFORM core.raise('LEDGER_INSUFFICIENT_FUNDS',
                           format('account %s: available %s, the batch needs %s', v_acc.id, v_acc.avail, v_acc.need));
    END IF;

    -- Entries with per-account sequence numbers and running balances, set-based, then the balances.
    v_now := clock_timestamp();
    INSERT INTO ledger.entry (transaction_id, account_id, slot, seq, amount, balance_before, balance_after, posted_at)
    SELECT x.tx, x.i, 0, x.seq, x.m, x.after - x.m, x.after, v_now
      FROM (SELECT l.tx, l.i, l.m,
                   a.seq + row_number() OVER w AS seq,
                   a.balance + sum(l.m) OVER w AS after
              FROM (SELECT u.tx, u.n, l.k, l.i, l.m
                      FROM unnest(v_txid, v_deb, v_cred, v_amt, v_new) WITH ORDINALITY AS u(tx, d, c, a, nw, n),
                           LATERAL (VALUES (0, u.d, -u.a), (1, u.c, u.a)) AS l(k, i, m)
                     WHERE u.nw) l
              JOIN ledger.account a ON a.id = l.i
            WINDOW w AS (PARTITION BY l.i ORDER BY l.n, l.k ROWS UNBOUNDED PRECEDING)) x;
    UPDATE ledger.account a
       SET balance = a.balance + d.delta, seq = a.seq + d.cnt
      FROM (SELECT i, sum(m) AS delta, count(*) AS cnt
              FROM unnest(v_deb, v_cred, v_amt, v_new) AS u(d, c, a, nw),
                   LATERAL (VALUES (u.d, -u.a), (u.c, u.a)) AS l(i, m)
             WHERE u.nw GROUP BY i) d
     WHERE a.id = d.i;

    RETURN QUERY SELECT u.r, u.t FROM unnest(v_ref, v_txid) WITH ORDINALITY AS u(r, t, n) ORDER BY u.n;
END
$$;
COMMENT ON FUNCTION ledger.post_batch(jsonb) IS
'Post many transfers in one call, all or nothing; returns (reference, transaction_id) in input order.
p_transfers = [{"reference": "r1", "debit_account_id": 1, "credit_account_id": 2, "amount": "10.00", "memo": "..."}, ...].
Set-based inside: accounts locked once in ascending id order, one INSERT of all transactions, one of all entries
(sequence numbers and running balances by window functions), one UPDATE of all balances. Funds are checked on
each account''s net movement. References already posted with the same request are replayed, not posted again.
Hot accounts may be credited (slot 0) but not debited. Errors: LEDGER_INVALID_BATCH, LEDGER_SAME_ACCOUNT,
LEDGER_AMOUNT_INVALID and every transfer error. Assumes READ COMMITTED.';

-- ------------------------------------------------------------------------------------------------
-- Holds (escrow)
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.create_hold(
    p_reference  text,
    p_account_id bigint,
    p_amount     numeric,
    p_expires_at timestamptz DEFAULT NULL,
    p_memo       text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id    bigint;
    v_hash  uuid;
    v_other uuid;
BEGIN
    IF p_reference IS NULL OR length(p_reference) NOT BETWEEN 1 AND 200 THEN
        PERFORM ledger.check_reference(p_reference);
    ELSIF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e15 THEN
        PERFORM ledger.check_amount(p_amount);
    ELSIF length(p_memo) > 500 THEN
        PERFORM ledger.check_memo(p_memo);
    ELSIF p_expires_at IS NOT NULL AND p_expires_at <= now()
          AND NOT EXISTS (SELECT 1 FROM ledger.hold WHERE reference = p_reference) THEN
        -- (A retry of a hold created before its expiry passed is a replay, answered below, not a new request.)
        -- IS NOT NULL first: with no expiry, "NULL <= now()" is NULL, not false, and AND would look the reference up
        -- on every call; a false first operand stops it.
        PERFORM core.raise('LEDGER_HOLD_EXPIRY_INVALID', format('expires_at %s is not after %s', p_expires_at, now()));
    END IF;
    v_hash := md5(concat_ws('|', 'HOLD', p_account_id, trim_scale(p_amount), p_expires_at, quote_nullable(p_memo)))::uuid;
    -- The account lookup rides on the INSERT: nothing is inserted for an unknown or hot account.
    INSERT INTO ledger.hold (reference, request_hash, account_id, amount, expires_at, memo)
    SELECT p_reference, v_hash, a.id, p_amount, p_expires_at, p_memo
      FROM ledger.account a WHERE a.id = p_account_id AND a.slots = 1
    ON CONFLICT (reference) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        SELECT id, request_hash INTO v_id, v_other FROM ledger.hold WHERE reference = p_reference;
        IF FOUND THEN
            IF v_other IS DISTINCT FROM v_hash THEN
                PERFORM core.raise('LEDGER_IDEMPOTENCY_CONFLICT', format('hold reference %s is hold %s', p_reference, v_id));
            END IF;
            RETURN v_id;   -- a replay: the original hold
        END IF;
        IF NOT EXISTS (SELECT 1 FROM ledger.account WHERE id = p_account_id) THEN
            PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
        END IF;
        PERFORM core.raise('LEDGER_HOT_ACCOUNT_POLICY', format('account %s is hot: no holds', p_account_id));
    END IF;
    UPDATE ledger.account a
       SET held = a.held + p_amount
     WHERE a.id = p_account_id AND a.status = 'ACTIVE' AND NOT a.receive_only AND scale(p_amount) <= a.minor_units
       AND (a.allow_negative OR a.balance - a.held - p_amount >= -a.overdraft_limit);
    IF NOT FOUND THEN
        PERFORM ledger.refuse(p_account_id, p_amount, NULL, true);
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION ledger.create_hold(text, bigint, numeric, timestamptz, text) IS
'Reserve funds on an account (escrow lock): held grows, available shrinks, balance stays; returns the hold id.
Optional p_expires_at (future) after which ledger.expire_holds releases it. Idempotent on p_reference.
Errors: LEDGER_REFERENCE_INVALID, LEDGER_AMOUNT_INVALID, LEDGER_AMOUNT_PRECISION, LEDGER_HOLD_EXPIRY_INVALID,
LEDGER_UNKNOWN_ACCOUNT, LEDGER_HOT_ACCOUNT_POLICY, LEDGER_ACCOUNT_FROZEN, LEDGER_ACCOUNT_CLOSED, LEDGER_RECEIVE_ONLY,
LEDGER_INSUFFICIENT_FUNDS, LEDGER_IDEMPOTENCY_CONFLICT. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.capture_hold(p_reference text, p_hold_id bigint, p_destinations jsonb, p_memo text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tx        bigint;
    v_hash      uuid;
    v_total     numeric := 0;
    v_bad       text;
    v_canon     text;
    v_source    bigint;
    v_held      numeric;
    v_currency  text;
    v_ids       bigint[] := '{}'::bigint[];
    v_amounts   numeric[] := '{}'::numeric[];
    v_n         integer;
    v_slot      smallint[] := '{}'::smallint[];
    v_seq       bigint[] := '{}'::bigint[];
    v_after     numeric[] := '{}'::numeric[];
    v_acc       bigint[] := '{}'::bigint[];
    v_amt       numeric[] := '{}'::numeric[];
    v_src_seq   bigint;
    v_src_after numeric;
    v_src_done  boolean := false;
    v_malformed boolean := false;
    v_d         jsonb;
    v_id        bigint;
    v_m         numeric;
    v_pos       integer;
    v_hot       text := current_setting('ledger.hot_accounts', true);
    v_i         integer := 1;
    v_now       timestamptz;
    h           ledger.hold;
    r           record;
BEGIN
    IF p_reference IS NULL OR length(p_reference) NOT BETWEEN 1 AND 200 THEN
        PERFORM ledger.check_reference(p_reference);
    ELSIF length(p_memo) > 500 THEN
        PERFORM ledger.check_memo(p_memo);
    ELSIF p_destinations IS NULL OR jsonb_typeof(p_destinations) <> 'array'
       OR jsonb_array_length(p_destinations) NOT BETWEEN 1 AND 100 THEN
        PERFORM core.raise('LEDGER_INVALID_LEGS', 'destinations must be a JSON array of 1 to 100 {account_id, amount}');
    END IF;
    -- Parse without a query (a capture names one to a few destinations; a query with its sorts cost more than the
    -- rest of the parsing): net per account into arrays kept in ascending id order (the lock order), and flag
    -- anything malformed. A non-object anywhere is refused first, as before any other complaint.
    FOR k IN 0 .. jsonb_array_length(p_destinations) - 1 LOOP
        v_d := p_destinations -> k;
        IF jsonb_typeof(v_d) <> 'object' THEN
            PERFORM core.raise('LEDGER_INVALID_LEGS', 'every destination must be a JSON object',
                               'a destination is {"account_id": 7, "amount": "90.00"}');
        ELSIF v_malformed THEN
            CONTINUE;
        ELSIF (v_d ->> 'account_id') ~ '^[0-9]{1,18}$' AND (v_d ->> 'amount') ~ '^-?[0-9]{1,18}(\.[0-9]{1,8})?$' THEN
            v_id := (v_d ->> 'account_id')::bigint;
            v_m := (v_d ->> 'amount')::numeric;
            v_malformed := v_m <= 0;
            v_total := v_total + v_m;
            v_pos := array_position(v_ids, v_id);
            IF v_pos IS NOT NULL THEN
                v_amounts[v_pos] := v_amounts[v_pos] + v_m;
            ELSE
                v_pos := 1;
                WHILE v_pos <= cardinality(v_ids) AND v_ids[v_pos] < v_id LOOP
                    v_pos := v_pos + 1;
                END LOOP;
                v_ids := v_ids[1:v_pos - 1] || v_id || v_ids[v_pos:];
                v_amounts := v_amounts[1:v_pos - 1] || v_m || v_amounts[v_pos:];
            END IF;
        ELSE
            v_malformed := true;
        END IF;
    END LOOP;
    IF v_malformed THEN
        SELECT format('destination %s: %s', n, left(d::text, 200)) INTO v_bad
          FROM jsonb_array_elements(p_destinations) WITH ORDINALITY AS x(d, n)
         WHERE ledger.parse_id(d -> 'account_id') IS NULL OR ledger.parse_amount(d -> 'amount') IS NULL
         LIMIT 1;
        IF v_bad IS NOT NULL THEN
            PERFORM core.raise('LEDGER_INVALID_LEGS', v_bad, 'a destination is {"account_id": 7, "amount": "90.00"}');
        END IF;
        PERFORM core.raise('LEDGER_AMOUNT_INVALID', 'every destination amount must be positive');
    ELSIF v_total >= 1e15 THEN
        PERFORM ledger.check_amount(v_total, 'the capture total');
    END IF;
    -- The canonical form of the request (netted, ascending, trailing zeros trimmed) identifies it for idempotency.
    v_n := cardinality(v_ids);
    FOR k IN 1 .. v_n LOOP
        v_canon := concat_ws(',', v_canon, v_ids[k] || ':' || trim_scale(v_amounts[k]));
    END LOOP;
    v_hash := md5(concat_ws('|', 'CAPTURE', p_hold_id, v_canon, quote_nullable(p_memo)))::uuid;
    INSERT INTO ledger.transaction (reference, kind, request_hash, memo)
    VALUES (p_reference, 'CAPTURE', v_hash, p_memo)
    ON CONFLICT (reference) DO NOTHING
    RETURNING id INTO v_tx;
    IF v_tx IS NULL THEN
        RETURN ledger.replay(p_reference, v_hash);
    END IF;

    -- Resolve the hold exactly once (a concurrent capture, release or expiry waits here, then finds it resolved).
    -- The held account's currency never changes, so it is read here, unlocked, for the destinations' check.
    UPDATE ledger.hold hd
       SET status = 'CAPTURED', resolved_at = now(), resolution_ref = p_reference, captured_amount = v_total,
           transaction_id = v_tx
     WHERE hd.id = p_hold_id AND hd.status = 'OPEN' AND (hd.expires_at IS NULL OR hd.expires_at > now()) AND hd.amount >= v_total
    RETURNING hd.account_id, hd.amount, (SELECT a.currency FROM ledger.account a WHERE a.id = hd.account_id)
         INTO v_source, v_held, v_currency;
    IF NOT FOUND THEN
        SELECT * INTO h FROM ledger.hold WHERE id = p_hold_id;
        IF NOT FOUND THEN
            PERFORM core.raise('LEDGER_UNKNOWN_HOLD', format('hold %s', p_hold_id));
        ELSIF h.status <> 'OPEN' THEN
            PERFORM core.raise('LEDGER_HOLD_RESOLVED', format('hold %s is %s', p_hold_id, h.status));
        ELSIF h.expires_at <= now() THEN
            PERFORM core.raise('LEDGER_HOLD_EXPIRED', format('hold %s expired at %s', p_hold_id, h.expires_at));
        END IF;
        PERFORM core.raise('LEDGER_CAPTURE_EXCEEDS_HOLD', format('hold %s is %s, capture %s', p_hold_id, h.amount, v_total));
    END IF;
    IF v_source = ANY (v_ids) THEN
        PERFORM core.raise('LEDGER_INVALID_LEGS', 'a destination cannot be the held account');
    END IF;

    -- Debit the captured total and release the whole hold on the source; credit the destinations. Accounts are
    -- taken in ascending id order: the source slots in among the (sorted) destinations.
    WHILE v_i <= v_n OR NOT v_src_done LOOP
        IF NOT v_src_done AND (v_i > v_n OR v_source < v_ids[v_i]) THEN
            UPDATE ledger.account a
               SET balance = a.balance - v_total, held = a.held - v_held, seq = a.seq + 1
             WHERE a.id = v_source AND a.status = 'ACTIVE'
            RETURNING a.seq, a.balance INTO v_src_seq, v_src_after;
            IF NOT FOUND THEN
                PERFORM ledger.refuse(v_source, v_total, NULL, true);
            END IF;
            v_acc := v_acc || v_source;
            v_amt := v_amt || -v_total;
            v_slot := v_slot || 0::smallint;
            v_seq := v_seq || v_src_seq;
            v_after := v_after || v_src_after;
            v_src_done := true;
            CONTINUE;
        END IF;
        IF strpos(v_hot, ' ' || v_ids[v_i] || ':') > 0 THEN
            -- A hot destination this session has credited before (ledger.post_credit_slot remembers them as
            -- ' id:slots ', read here as ledger.transfer reads it): straight to its slots.
            r := ledger.post_credit_slot(v_ids[v_i], v_amounts[v_i], v_currency,
                                         coalesce(ledger.cached_slots(v_hot, v_ids[v_i]), 0::smallint));
        ELSE
            UPDATE ledger.account a SET balance = a.balance + v_amounts[v_i], seq = a.seq + 1
             WHERE a.id = v_ids[v_i] AND a.status = 'ACTIVE' AND a.slots = 1 AND a.currency = v_currency
               AND scale(v_amounts[v_i]) <= a.minor_units
            RETURNING 0::smallint AS o_slot, a.seq AS o_seq, a.balance AS o_balance_after INTO r;
            IF NOT FOUND THEN   -- a hot account met for the first time, or a refusal to explain
                r := ledger.post_credit_slot(v_ids[v_i], v_amounts[v_i], v_currency);
            END IF;
        END IF;
        v_acc := v_acc || v_ids[v_i];
        v_amt := v_amt || v_amounts[v_i];
        v_slot := v_slot || r.o_slot;
        v_seq := v_seq || r.o_seq;
        v_after := v_after || r.o_balance_after;
        v_i := v_i + 1;
    END LOOP;
    v_now := clock_timestamp();   -- after every lock is held: within a slot, posted_at never decreases
    INSERT INTO ledger.entry (transaction_id, account_id, slot, seq, amount, balance_before, balance_after, posted_at)
    SELECT v_tx, u.account_id, u.slot, u.seq, u.amount, u.balance_after - u.amount, u.balance_after, v_now
      FROM unnest(v_acc, v_slot, v_seq, v_amt, v_after) AS u(account_id, slot, seq, amount, balance_after);
    RETURN v_tx;
END
$$;
COMMENT ON FUNCTION ledger.capture_hold(text, bigint, jsonb, text) IS
'Capture a hold, fully or partly, to one or more destinations in one transaction (e.g. provider payout and
platform commission): p_destinations = [{"account_id": 7, "amount": "90.00"}, {"account_id": 9, "amount": "10.00"}].
The captured total leaves the held account, any remainder is released, and the hold resolves as CAPTURED —
exactly once, even against a concurrent release or expiry. Idempotent on p_reference; returns the transaction id.
Errors: LEDGER_INVALID_LEGS, LEDGER_AMOUNT_INVALID, LEDGER_UNKNOWN_HOLD, LEDGER_HOLD_RESOLVED, LEDGER_HOLD_EXPIRED,
LEDGER_CAPTURE_EXCEEDS_HOLD, LEDGER_CURRENCY_MISMATCH, LEDGER_AMOUNT_PRECISION, LEDGER_ACCOUNT_FROZEN,
LEDGER_IDEMPOTENCY_CONFLICT. Locks the hold, then accounts in ascending id order; assumes READ COMMITTED.';

CREATE FUNCTION ledger.release_hold(p_reference text, p_hold_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_account bigint;
    v_amount  numeric;
    h         ledger.hold;
BEGIN
    PERFORM ledger.check_reference(p_reference);
    UPDATE ledger.hold SET status = 'RELEASED', resolved_at = now(), resolution_ref = p_reference
     WHERE id = p_hold_id AND status = 'OPEN'
    RETURNING account_id, amount INTO v_account, v_amount;
    IF NOT FOUND THEN
        SELECT * INTO h FROM ledger.hold WHERE id = p_hold_id;
        IF NOT FOUND THEN
            PERFORM core.raise('LEDGER_UNKNOWN_HOLD', format('hold %s', p_hold_id));
        ELSIF h.status = 'RELEASED' AND h.resolution_ref = p_reference THEN
            RETURN;   -- a replay of this very release
        END IF;
        PERFORM core.raise('LEDGER_HOLD_RESOLVED', format('hold %s is %s', p_hold_id, h.status));
    END IF;
    UPDATE ledger.account SET held = held - v_amount WHERE id = v_account;
END
$$;
COMMENT ON FUNCTION ledger.release_hold(text, bigint) IS
'Release a hold: its amount becomes available again and it resolves as RELEASED, exactly once.
Replaying the same release (same reference) succeeds; anything else on a resolved hold is LEDGER_HOLD_RESOLVED.
Errors: LEDGER_REFERENCE_INVALID, LEDGER_UNKNOWN_HOLD, LEDGER_HOLD_RESOLVED. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.expire_holds(p_limit integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ids    bigint[];
    v_totals numeric[];
    v_count  integer;
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 100000 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_limit must be between 1 and 100000');
    END IF;
    WITH picked AS (
        SELECT id FROM ledger.hold
         WHERE open_expires_at <= now()   -- an open hold past its expiry (hold_open_expires_at_idx)
         ORDER BY open_expires_at, id
         LIMIT p_limit
           FOR NO KEY UPDATE SKIP LOCKED
    ), expired AS (
        UPDATE ledger.hold h SET status = 'EXPIRED', resolved_at = now()
          FROM picked WHERE h.id = picked.id
        RETURNING h.account_id, h.amount
    )
    SELECT array_agg(account_id ORDER BY account_id), array_agg(total ORDER BY account_id), sum(n)
      INTO v_ids, v_totals, v_count
      FROM (SELECT account_id, sum(amount) AS total, count(*) AS n FROM expired GROUP BY account_id) s;
    IF v_count IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM 1 FROM ledger.account WHERE id = ANY (v_ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE ledger.account a SET held = a.held - u.total
      FROM unnest(v_ids, v_totals) AS u(id, total)
     WHERE a.id = u.id;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION ledger.expire_holds(integer) IS
'Sweep: resolve up to p_limit open holds past expires_at as EXPIRED and make their funds available again;
returns how many. Safe to run concurrently (SKIP LOCKED) and against captures and releases: each hold resolves
once. Called by a scheduler or `mercato ledger sweep`. Assumes READ COMMITTED.
Errors: none of its own.';

-- ------------------------------------------------------------------------------------------------
-- Reversal
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.reverse(p_reference text, p_transaction_id bigint, p_memo text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_hash     uuid;
    v_orig     ledger.transaction;
    v_tx       bigint;
    v_ids      bigint[];
    v_amounts  numeric[];
    v_currency text[];
BEGIN
    PERFORM ledger.check_reference(p_reference);
    PERFORM ledger.check_memo(p_memo);
    v_hash := md5(concat_ws('|', 'REVERSAL', p_transaction_id, quote_nullable(p_memo)))::uuid;
    -- Lock the original first: concurrent reversals of one transaction queue here.
    SELECT * INTO v_orig FROM ledger.transaction WHERE id = p_transaction_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_TRANSACTION', format('transaction %s', p_transaction_id));
    END IF;
    IF EXISTS (SELECT 1 FROM ledger.transaction WHERE reference = p_reference) THEN
        RETURN ledger.replay(p_reference, v_hash);
    END IF;
    IF v_orig.kind = 'REVERSAL' THEN
        PERFORM core.raise('LEDGER_NOT_REVERSIBLE', format('transaction %s reverses %s', v_orig.id, v_orig.reversal_of));
    ELSIF v_orig.reversed_by IS NOT NULL THEN
        PERFORM core.raise('LEDGER_ALREADY_REVERSED', format('transaction %s was reversed by %s', v_orig.id, v_orig.reversed_by));
    END IF;
    INSERT INTO ledger.transaction (reference, kind, request_hash, memo, reversal_of)
    VALUES (p_reference, 'REVERSAL', v_hash, p_memo, p_transaction_id)
    RETURNING id INTO v_tx;
    SELECT array_agg(e.account_id ORDER BY e.account_id), array_agg(-e.total ORDER BY e.account_id),
           array_agg(a.currency::text ORDER BY e.account_id)
      INTO v_ids, v_amounts, v_currency
      FROM (SELECT account_id, sum(amount) AS total FROM ledger.entry WHERE transaction_id = p_transaction_id
             GROUP BY account_id HAVING sum(amount) <> 0) e
      JOIN ledger.account a ON a.id = e.account_id;
    PERFORM ledger.apply_legs(v_tx, v_ids, v_amounts, v_currency);
    UPDATE ledger.transaction SET reversed_by = v_tx WHERE id = p_transaction_id;
    RETURN v_tx;
END
$$;
COMMENT ON FUNCTION ledger.reverse(text, bigint, text) IS
'Correct a posted transaction by posting its mirror image; returns the reversal''s id. The two are linked both
ways (reversal_of / reversed_by); a transaction is reversed at most once and a reversal cannot be reversed.
The accounts it credited must still have the funds. Idempotent on p_reference.
Errors: LEDGER_UNKNOWN_TRANSACTION, LEDGER_ALREADY_REVERSED, LEDGER_NOT_REVERSIBLE, LEDGER_INSUFFICIENT_FUNDS,
LEDGER_ACCOUNT_FROZEN, LEDGER_IDEMPOTENCY_CONFLICT. Locks the original transaction, then accounts in ascending id order.
Assumes READ COMMITTED.';

-- ------------------------------------------------------------------------------------------------
-- Reads
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

CREATE FUNCTION ledger.seq_at(p_account_id bigint, p_slot smallint, p_at timestamptz, p_inclusive boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_lo  bigint := 0;
    v_hi  bigint;
    v_mid bigint;
    v_at  timestamptz;
BEGIN
    IF p_slot = 0 THEN
        SELECT seq INTO v_hi FROM ledger.account WHERE id = p_account_id;
    ELSE
        SELECT seq INTO v_hi FROM ledger.account_slot WHERE account_id = p_account_id AND slot = p_slot;
    END IF;
    v_hi := coalesce(v_hi, 0);
    -- Invariant: entries 1..v_lo are at/before p_at, entries after v_hi are not.
    WHILE v_lo < v_hi LOOP
        v_mid := (v_lo + v_hi + 1) / 2;
        SELECT posted_at INTO v_at FROM ledger.entry WHERE account_id = p_account_id AND slot = p_slot AND seq = v_mid;
        IF v_at < p_at OR (p_inclusive AND v_at = p_at) THEN
            v_lo := v_mid;
        ELSE
            v_hi := v_mid - 1;
        END IF;
    END LOOP;
    RETURN v_lo;
END
$$;
COMMENT ON FUNCTION ledger.seq_at(bigint, smallint, timestamptz, boolean) IS
'The last sequence number of an account slot posted at or before p_at (strictly before when not p_inclusive),
0 if none. A binary search over the primary key: about log2(entries) index probes, no extra index.
Errors: none of its own. Assumes READ COMMITTED.';

CREATE FUNCTION ledger.balance_at(p_account_id bigint, p_at timestamptz)
RETURNS numeric
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_slots smallint;
    v_total numeric := 0;
    v_seq   bigint;
BEGIN
    SELECT slots INTO v_slots FROM ledger.account WHERE id = p_account_id;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
    END IF;
    IF p_at IS NULL THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_at is NULL');
    END IF;
    FOR s IN 0 .. v_slots - 1 LOOP
        v_seq := ledger.seq_at(p_account_id, s::smallint, p_at);
        IF v_seq > 0 THEN
            v_total := v_total + (SELECT e.balance_after FROM ledger.entry e
                                   WHERE e.account_id = p_account_id AND e.slot = s AND e.seq = v_seq);
        END IF;
    END LOOP;
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION ledger.balance_at(bigint, timestamptz) IS
'The balance of an account (all slots) as of an instant: per slot, the balance after its last entry posted at
or before p_at, found by ledger.seq_at (index probes on the primary key). Errors: LEDGER_UNKNOWN_ACCOUNT,
CORE_INVALID_ARGUMENT.
Assumes READ COMMITTED.';

CREATE FUNCTION ledger.statement(
    p_account_id bigint,
    p_from       timestamptz DEFAULT '-infinity',
    p_to         timestamptz DEFAULT 'infinity',
    p_after_seq  bigint DEFAULT 0,
    p_limit      integer DEFAULT 100)
RETURNS TABLE (seq bigint, slot smallint, transaction_id bigint, posted_at timestamptz, amount numeric,
               balance_before numeric, balance_after numeric, reference text, memo text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_slots smallint;
BEGIN
    SELECT a.slots INTO v_slots FROM ledger.account a WHERE a.id = p_account_id;
    IF NOT FOUND THEN
        PERFORM core.raise('LEDGER_UNKNOWN_ACCOUNT', format('account %s', p_account_id));
    END IF;
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 10000 OR p_after_seq IS NULL OR p_from IS NULL OR p_to IS NULL THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_limit must be 1-10000; p_after_seq, p_from and p_to are required');
    END IF;
    IF v_slots > 1 AND p_after_seq <> 0 THEN
        -- A hot account numbers entries per slot, so one seq cannot mark a position in its statement.
        PERFORM core.raise('CORE_INVALID_ARGUMENT',
                           format('account %s is hot (%s slots): page its statement by time (p_from), not p_after_seq',
                                  p_account_id, v_slots));
    END IF;
    IF v_slots = 1 THEN
        RETURN QUERY
        SELECT e.seq, e.slot, e.transaction_id, e.posted_at, e.amount, e.balance_before, e.balance_after, t.reference::text, t.memo::text
          FROM ledger.entry e JOIN ledger.transaction t ON t.id = e.transaction_id
         WHERE e.account_id = p_account_id AND e.slot = 0
           AND e.seq > greatest(p_after_seq, CASE WHEN p_from = '-infinity' THEN 0
                                                  ELSE ledger.seq_at(p_account_id, 0::smallint, p_from, false) END)
           AND e.posted_at >= p_from AND e.posted_at < p_to
         ORDER BY e.seq
         LIMIT p_limit;
    ELSE
        RETURN QUERY
        SELECT e.seq, e.slot, e.transaction_id, e.posted_at, e.amount, e.balance_before, e.balance_after, t.reference::text, t.memo::text
          FROM ledger.entry e JOIN ledger.transaction t ON t.id = e.transaction_id
         WHERE e.account_id = p_account_id AND e.seq > p_after_seq AND e.posted_at >= p_from AND e.posted_at < p_to
         ORDER BY e.posted_at, e.slot, e.seq
         LIMIT p_limit;
    END IF;
END
$$;
COMMENT ON FUNCTION ledger.statement(bigint, timestamptz, timestamptz, bigint, integer) IS
'Entries of an account between p_from (inclusive) and p_to (exclusive), oldest first, at most p_limit, with the
transaction''s reference and memo. The bounds default to unbounded (the api wrappers take NULL for an open bound).
Page with p_after_seq = the last seq seen; p_from is found by binary search
(ledger.seq_at), so every page is an index range scan on the primary key. Hot accounts
number entries per slot: their statement is ordered by (posted_at, slot, seq) and paged by time (p_from); p_after_seq is refused for them.
Errors: LEDGER_UNKNOWN_ACCOUNT, CORE_INVALID_ARGUMENT.
Assumes READ COMMITTED.';

-- ------------------------------------------------------------------------------------------------
-- Integrity
-- ------------------------------------------------------------------------------------------------

CREATE FUNCTION ledger.check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- Whether each entry-wide check has anything to report, from two passes over ledger.entry (a STABLE function:
    -- every query below sees the same snapshot, so the passes and the reports agree).
    v_trial    boolean;
    v_balanced boolean;
    v_refs     boolean;
    v_empty    boolean;
    v_slots    boolean;
    v_chain    boolean;
    v_time     boolean;
BEGIN
    -- Pass 1, by transaction: the entries joined to their accounts once, summed per (transaction, currency). The
    -- trial balance, every transaction's balance, entries naming a missing account, slot or transaction, and
    -- transactions without entries all follow from these sums and one hash join with ledger.transaction.
    WITH g AS MATERIALIZED (
        SELECT e.transaction_id, a.currency, sum(e.amount) AS total,
               bool_or(a.id IS NULL OR e.slot NOT BETWEEN 0 AND a.slots - 1) AS bad_ref
          FROM ledger.entry e LEFT JOIN ledger.account a ON a.id = e.account_id
         GROUP BY e.transaction_id, a.currency)
    SELECT EXISTS (SELECT 1 FROM g WHERE g.currency IS NOT NULL GROUP BY g.currency HAVING sum(g.total) <> 0),
           coalesce(bool_or(g.currency IS NOT NULL AND g.total <> 0), false),
           coalesce(bool_or(g.bad_ref OR t.id IS NULL), false),
           coalesce(bool_or(g.transaction_id IS NULL), false)
      INTO v_trial, v_balanced, v_refs, v_empty
      FROM g FULL JOIN ledger.transaction t ON t.id = g.transaction_id;
    -- Pass 2, by slot: the entries once in (account, slot, seq) order, chaining each entry to the one before it,
    -- summed per slot and compared with the slot's balance and sequence.
    WITH x AS MATERIALIZED (
        SELECT v.account_id, v.slot, sum(v.amount) AS total, count(*) AS n, max(v.seq) AS max_seq,
               bool_or(v.balance_before IS DISTINCT FROM coalesce(v.previous_after, 0)) AS chain_broken,
               bool_or(v.posted_at < v.previous_at) AS time_back
          FROM (SELECT e.account_id, e.slot, e.seq, e.amount, e.balance_before, e.posted_at,
                       lag(e.balance_after) OVER w AS previous_after, lag(e.posted_at) OVER w AS previous_at
                  FROM ledger.entry e
                WINDOW w AS (PARTITION BY e.account_id, e.slot ORDER BY e.seq)) v
         GROUP BY v.account_id, v.slot)
    -- (Aggregates, not EXISTS: an EXISTS over a join is planned for its first row, a nested loop that would rescan
    -- the CTE once per slot when there is no violation to find.)
    SELECT coalesce(bool_or(s.balance <> coalesce(x.total, 0) OR s.seq <> coalesce(x.n, 0) OR s.seq <> coalesce(x.max_seq, 0)), false),
           (SELECT coalesce(bool_or(x.chain_broken), false) FROM x),
           (SELECT coalesce(bool_or(x.time_back), false) FROM x)
      INTO v_slots, v_chain, v_time
      FROM (SELECT id AS account_id, 0::smallint AS slot, balance, seq FROM ledger.account
            UNION ALL
            SELECT account_id, slot, balance, seq FROM ledger.account_slot) s
      LEFT JOIN x USING (account_id, slot);

    -- The report: each check's own query, counting and sampling its violations. A check the passes found clean is
    -- switched off by its flag (a one-time filter: its scan never starts), so a clean ledger is read twice, not
    -- once per check; the cheap checks of accounts, holds and reversals always run.
    RETURN QUERY
    WITH violation (check_name, row) AS MATERIALIZED (
    SELECT 'trial_balance_per_currency', jsonb_build_object('currency', a.currency, 'total', sum(e.amount))
      FROM ledger.entry e JOIN ledger.account a ON a.id = e.account_id
     WHERE v_trial
     GROUP BY a.currency HAVING sum(e.amount) <> 0
    UNION ALL
    SELECT 'every_transaction_balanced', jsonb_build_object('transaction_id', e.transaction_id, 'currency', a.currency,
                                                            'total', sum(e.amount))
      FROM ledger.entry e JOIN ledger.account a ON a.id = e.account_id
     WHERE v_balanced
     GROUP BY e.transaction_id, a.currency HAVING sum(e.amount) <> 0
    UNION ALL
    SELECT 'balance_equals_entries', jsonb_build_object('account_id', s.account_id, 'slot', s.slot, 'balance', s.balance,
               'entries_total', coalesce(x.total, 0), 'seq', s.seq, 'entries', coalesce(x.n, 0), 'max_seq', x.max_seq)
      FROM (SELECT id AS account_id, 0::smallint AS slot, balance, seq FROM ledger.account
            UNION ALL
            SELECT account_id, slot, balance, seq FROM ledger.account_slot) s
      LEFT JOIN (SELECT account_id, slot, sum(amount) AS total, count(*) AS n, max(seq) AS max_seq
                   FROM ledger.entry WHERE v_slots GROUP BY account_id, slot) x USING (account_id, slot)
     WHERE v_slots AND (s.balance <> coalesce(x.total, 0) OR s.seq <> coalesce(x.n, 0) OR s.seq <> coalesce(x.max_seq, 0))
    UNION ALL
    SELECT 'running_balances_chain', jsonb_build_object('account_id', v.account_id, 'slot', v.slot, 'seq', v.seq,
               'balance_before', v.balance_before, 'previous_balance_after', v.previous_after)
      FROM (SELECT e.account_id, e.slot, e.seq, e.balance_before,
                   lag(e.balance_after) OVER (PARTITION BY e.account_id, e.slot ORDER BY e.seq) AS previous_after
              FROM ledger.entry e WHERE v_chain) v
     WHERE v.balance_before IS DISTINCT FROM coalesce(v.previous_after, 0)
    UNION ALL
    SELECT 'posted_at_follows_seq', jsonb_build_object('account_id', v.account_id, 'slot', v.slot, 'seq', v.seq,
               'posted_at', v.posted_at, 'previous_posted_at', v.previous_at)
      FROM (SELECT e.account_id, e.slot, e.seq, e.posted_at,
                   lag(e.posted_at) OVER (PARTITION BY e.account_id, e.slot ORDER BY e.seq) AS previous_at
              FROM ledger.entry e WHERE v_time) v
     WHERE v.posted_at < v.previous_at
    UNION ALL
    SELECT 'held_equals_open_holds', jsonb_build_object('account_id', a.id, 'held', a.held, 'open_holds', coalesce(h.total, 0))
      FROM ledger.account a
      LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger.hold WHERE status = 'OPEN' GROUP BY account_id) h
        ON h.account_id = a.id
     WHERE a.held <> coalesce(h.total, 0)
    UNION ALL
    SELECT 'no_account_below_its_limit', jsonb_build_object('account_id', x.id, 'available', x.available,
                                                            'overdraft_limit', x.overdraft_limit)
      FROM (SELECT a.id, a.allow_negative, a.overdraft_limit,
                   a.balance - a.held + coalesce(s.total, 0) AS available
              FROM ledger.account a
              LEFT JOIN (SELECT account_id, sum(balance) AS total FROM ledger.account_slot GROUP BY account_id) s
                ON s.account_id = a.id) x
     WHERE NOT x.allow_negative AND x.available < -x.overdraft_limit
    UNION ALL
    SELECT 'reversals_linked_both_ways', jsonb_build_object('transaction_id', t.id, 'reversed_by', t.reversed_by,
                                                            'reversal_of', r.reversal_of)
      FROM ledger.transaction t LEFT JOIN ledger.transaction r ON r.id = t.reversed_by
     WHERE t.reversed_by IS NOT NULL AND r.reversal_of IS DISTINCT FROM t.id
    UNION ALL
    SELECT 'reversals_linked_both_ways', jsonb_build_object('transaction_id', t.id, 'reversed_by', t.reversed_by,
                                                            'reversal', r.id)
      FROM ledger.transaction r JOIN ledger.transaction t ON t.id = r.reversal_of
     WHERE t.reversed_by IS DISTINCT FROM r.id
    UNION ALL
    SELECT 'entries_reference_existing_rows', jsonb_build_object('transaction_id', e.transaction_id, 'account_id', e.account_id,
                                                                 'slot', e.slot, 'seq', e.seq)
      FROM ledger.entry e
      LEFT JOIN ledger.account a ON a.id = e.account_id
     WHERE v_refs AND (a.id IS NULL OR e.slot NOT BETWEEN 0 AND a.slots - 1
        OR NOT EXISTS (SELECT 1 FROM ledger.transaction t WHERE t.id = e.transaction_id))
    UNION ALL
    SELECT 'every_transaction_has_entries', jsonb_build_object('transaction_id', t.id, 'kind', t.kind)
      FROM ledger.transaction t
     WHERE v_empty AND NOT EXISTS (SELECT 1 FROM ledger.entry e WHERE e.transaction_id = t.id)
    )
    SELECT c.name, count(v.row) = 0, count(v.row),
           (SELECT jsonb_agg(s.row) FROM (SELECT x.row FROM violation x WHERE x.check_name = c.name LIMIT 20) s)
      FROM unnest(ARRAY['trial_balance_per_currency', 'every_transaction_balanced', 'balance_equals_entries',
                        'running_balances_chain', 'posted_at_follows_seq', 'held_equals_open_holds', 'no_account_below_its_limit',
                        'reversals_linked_both_ways', 'entries_reference_existing_rows', 'every_transaction_has_entries']) WITH ORDINALITY AS c(name, n)
      LEFT JOIN violation v ON v.check_name = c.name
     GROUP BY c.name, c.n
     ORDER BY c.n;
END
$$;
COMMENT ON FUNCTION ledger.check() IS
'Verify the ledger''s invariants; one row per check with the number of violations and a sample of offending rows:
trial balance per currency is zero; every transaction balances; every slot''s balance and sequence equal its entries
(so sequences are gap-free); running balances chain (each balance_before is the previous balance_after); posted_at
never decreases along a slot''s sequence (what ledger.seq_at relies on); held equals
the sum of open holds; no account below its limit; reversals link both ways; every entry names an existing
account, slot and transaction; every transaction has entries.
Reads the entries twice (by transaction, then by slot); only a check those passes find violated reads them again,
to count and sample its rows. A full scan all the same: run it from a job or `mercato ledger check`, not per request.
Errors: none of its own. Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
