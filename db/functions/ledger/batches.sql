-- Deploy mercato:functions/ledger/batches to pg
-- Many transfers in one call, all or nothing, set-based (post_batch).
--
-- Concurrency, locks and idempotency: see the header of functions/ledger/posting.

BEGIN;

-- ------------------------------------------------------------------------------------------------
-- Batches
-- ------------------------------------------------------------------------------------------------

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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
