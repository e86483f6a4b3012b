-- Deploy mercato:functions/ledger/history to pg
-- An account's past: its balance as of an instant (balance_at) and its statement (statement), both found by binary
-- search over the entries' primary key (seq_at). The current balance is ledger.account_balance (functions/ledger/accounts).
--
-- Concurrency, locks and idempotency: see the header of functions/ledger/posting.

BEGIN;

-- ------------------------------------------------------------------------------------------------
-- History
-- ------------------------------------------------------------------------------------------------

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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
