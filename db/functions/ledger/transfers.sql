-- Deploy mercato:functions/ledger/transfers to pg
-- Postings of one request: transfer (two accounts, the platform's hot path) and post (multi-leg, netted per account).
--
-- Concurrency, locks and idempotency: see the header of functions/ledger/posting.

BEGIN;

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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
