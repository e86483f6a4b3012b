-- Deploy mercato:functions/ledger/posting to pg
-- The internals every posting use case shares (owner only): parsing and checking arguments (parse_amount, parse_id,
-- check_reference, check_amount, check_memo), idempotent replay (replay), explaining a refusal (available, refuse),
-- moving one account's balance (post_debit, post_credit, post_credit_slot; hot accounts and the session's cache of
-- them: cached_slots), writing a transaction's legs (apply_legs), and the one builder of the references other modules
-- post under (build_reference).
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
-- Internal building blocks (owner only; called from the SECURITY DEFINER functions of functions/ledger/*)
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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
