-- Deploy mercato:functions/ledger/holds to pg
-- Escrow holds: create (reserve funds), capture (to one or more destinations), release, and the expiry sweep.
-- A hold resolves exactly once: capture_hold, release_hold and expire_holds each resolve it with one conditional
-- UPDATE ... WHERE status = 'OPEN', so a concurrent second resolution finds it resolved; and for any writer at all,
-- the trigger hold_resolve_once (ledger.hold_resolved_trg, in functions/ledger/guards) refuses every change to a
-- resolved hold (LEDGER_HOLD_RESOLVED) and hold_terms_immutable every change to its terms.
--
-- Concurrency, locks and idempotency: see the header of functions/ledger/posting.

BEGIN;

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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
