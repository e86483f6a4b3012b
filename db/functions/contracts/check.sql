-- Deploy mercato:functions/contracts/check to pg
-- The contracts' integrity check (escrow, totals, assignments): a full scan, for jobs, tests and
-- `mercato contract check`; never run by verify.

BEGIN;

-- Integrity -------------------------------------------------------------------------------------------

CREATE FUNCTION contracts.check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN QUERY
    WITH line AS MATERIALIZED (
        SELECT l.id, l.contract_id, l.hold_id, l.escrowed, l.settled_gross, l.released, l.total_amount,
               l.escrowed - l.settled_gross - l.released AS remainder, c.status, c.business_wallet_account_id,
               b.max_gross, b.earned_gross
          FROM contracts.contract_line l
          JOIN contracts.contract c ON c.id = l.contract_id
          CROSS JOIN LATERAL contracts.line_bounds(c.id) b
         WHERE b.contract_line_id = l.id
    ), violation (check_name, row) AS MATERIALIZED (
    SELECT 'hold_equals_escrow_remainder',
           jsonb_build_object('contract_line_id', x.id, 'hold_id', x.hold_id, 'remainder', x.remainder,
                              'hold_status', h.status, 'hold_amount', h.amount, 'hold_account_id', h.account_id)
      FROM line x LEFT JOIN ledger.hold h ON h.id = x.hold_id
     WHERE (x.remainder > 0 AND (h.id IS NULL OR h.status <> 'OPEN' OR h.amount <> x.remainder
                                 OR h.account_id <> x.business_wallet_account_id))
        OR (x.remainder = 0 AND h.status = 'OPEN')
    UNION ALL
    SELECT 'escrowed_matches_status', jsonb_build_object('contract_line_id', x.id, 'status', x.status, 'escrowed', x.escrowed)
      FROM line x
     WHERE (x.status IN ('ACTIVE', 'TERMINATED', 'COMPLETED') AND x.escrowed <> x.total_amount)
        OR (x.status IN ('PENDING_ACTIVATION', 'CANCELLED') AND (x.escrowed <> 0 OR x.hold_id IS NOT NULL))
    UNION ALL
    SELECT 'escrow_covers_unsettled_earnings',
           jsonb_build_object('contract_line_id', x.id, 'remainder', x.remainder, 'earned', x.earned_gross,
                              'settled_gross', x.settled_gross)
      FROM line x WHERE x.escrowed > 0 AND x.remainder < x.earned_gross - x.settled_gross
    UNION ALL
    SELECT 'ended_contract_holds_only_earnings',
           jsonb_build_object('contract_line_id', x.id, 'status', x.status, 'remainder', x.remainder,
                              'max_gross', x.max_gross, 'settled_gross', x.settled_gross)
      FROM line x WHERE x.status IN ('TERMINATED', 'COMPLETED') AND x.remainder > greatest(x.max_gross - x.settled_gross, 0)
    UNION ALL
    SELECT 'contract_total_equals_lines', jsonb_build_object('contract_id', c.id, 'total_amount', c.total_amount,
                                                             'lines_total', s.total)
      FROM contracts.contract c
      LEFT JOIN (SELECT contract_id, sum(total_amount) AS total FROM contracts.contract_line GROUP BY contract_id) s
             ON s.contract_id = c.id
     WHERE c.total_amount IS DISTINCT FROM s.total
    UNION ALL
    SELECT 'live_assignments_within_quantity', jsonb_build_object('contract_line_id', l.id, 'quantity', l.quantity,
                                                                  'live', count(*))
      FROM contracts.contract_line l JOIN contracts.assignment a ON a.contract_line_id = l.id
     WHERE a.live
     GROUP BY l.id, l.quantity HAVING count(*) > l.quantity
    UNION ALL
    SELECT 'assignment_matches_line', jsonb_build_object('assignment_id', a.id, 'contract_line_id', a.contract_line_id)
      FROM contracts.assignment a JOIN contracts.contract_line l ON l.id = a.contract_line_id
      JOIN fleet.vehicle v ON v.id = a.vehicle_id
     WHERE a.contract_id <> l.contract_id OR a.provider_id <> l.provider_id OR v.provider_id <> a.provider_id
    )
    SELECT c.name, count(v.row) = 0, count(v.row),
           (SELECT jsonb_agg(s.row) FROM (SELECT x.row FROM violation x WHERE x.check_name = c.name LIMIT 20) s)
      FROM unnest(ARRAY['hold_equals_escrow_remainder', 'escrowed_matches_status', 'escrow_covers_unsettled_earnings',
                        'ended_contract_holds_only_earnings', 'contract_total_equals_lines',
                        'live_assignments_within_quantity', 'assignment_matches_line']) WITH ORDINALITY AS c(name, n)
      LEFT JOIN violation v ON v.check_name = c.name
     GROUP BY c.name, c.n
     ORDER BY c.n;
END
$$;
COMMENT ON FUNCTION contracts.check() IS
'Verify the contracts'' invariants; one row per check with the number of violations and a sample. The escrow
invariant: for every line, hold_id is an OPEN hold on the contract''s business wallet of exactly escrowed -
settled_gross - released (and no open hold when that is 0). Also: activated contracts escrowed their full amount,
unactivated ones nothing; the escrow still covers what was earned but not settled; ended contracts hold no more than
their unsettled earnings; contract totals equal their lines; live assignments never exceed a line''s quantity;
assignments agree with their line and vehicle. A full scan: run it from a job. Errors: none of its own.
Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
