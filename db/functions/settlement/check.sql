-- Deploy mercato:functions/settlement/check to pg
-- Settlement's integrity check (cycles equal their lines, escrow bookkeeping equals the cycles, each capture took
-- its gross): a full scan, for jobs, tests and `mercato settle check`; never run by verify.

BEGIN;

CREATE FUNCTION settlement.check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    WITH violation (check_name, row) AS MATERIALIZED (
    SELECT 'cycle_equals_its_lines', jsonb_build_object('cycle_id', c.id, 'gross', c.gross, 'commission', c.commission,
                                                        'lines_gross', s.gross, 'lines_commission', s.comm)
      FROM settlement.cycle c
      LEFT JOIN (SELECT cycle_id, sum(gross) AS gross, sum(commission) AS comm FROM settlement.cycle_line GROUP BY cycle_id) s
             ON s.cycle_id = c.id
     WHERE (c.gross, c.commission) IS DISTINCT FROM (s.gross, s.comm)
    UNION ALL
    SELECT 'settled_gross_equals_cycle_lines', jsonb_build_object('contract_line_id', l.id, 'settled_gross', l.settled_gross,
                                                                  'cycle_lines_gross', coalesce(s.gross, 0))
      FROM contracts.contract_line l
      LEFT JOIN (SELECT contract_line_id, sum(gross) AS gross FROM settlement.cycle_line GROUP BY contract_line_id) s
             ON s.contract_line_id = l.id
     WHERE l.settled_gross <> coalesce(s.gross, 0)
    UNION ALL
    SELECT 'cycle_line_captured_its_gross', jsonb_build_object('cycle_id', cl.cycle_id, 'contract_line_id', cl.contract_line_id,
                                                               'gross', cl.gross, 'captured', h.captured_amount)
      FROM settlement.cycle_line cl LEFT JOIN ledger.hold h ON h.transaction_id = cl.ledger_transaction_id
     WHERE h.captured_amount IS DISTINCT FROM cl.gross
    )
    SELECT c.name, count(v.row) = 0, count(v.row),
           (SELECT jsonb_agg(s.row) FROM (SELECT x.row FROM violation x WHERE x.check_name = c.name LIMIT 20) s)
      FROM unnest(ARRAY['cycle_equals_its_lines', 'settled_gross_equals_cycle_lines', 'cycle_line_captured_its_gross'])
           WITH ORDINALITY AS c(name, n)
      LEFT JOIN violation v ON v.check_name = c.name
     GROUP BY c.name, c.n
     ORDER BY c.n;
END
$$;
COMMENT ON FUNCTION settlement.check() IS
'Verify settlement''s invariants; one row per check with the number of violations and a sample: every cycle''s
totals equal its lines, every contract line''s settled_gross equals its cycle lines, every cycle line''s ledger
capture took exactly its gross from the escrow hold. A full scan. Errors: none of its own. Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
