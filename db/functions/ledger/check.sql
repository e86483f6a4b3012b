-- Deploy mercato:functions/ledger/check to pg
-- The integrity check of the whole ledger (check): a full scan, run from a job, `mercato ledger check` and the tests,
-- never from a verify script.

BEGIN;

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
