-- Deploy mercato:functions/contracts/escrow to pg
-- Escrow per contract line: what a line can still earn (contracts.line_bounds), the reference of each hold of a
-- line's chain (contracts.hold_reference, also used by settlement), activation (the full amount held on the
-- business wallet, one ledger hold per line) and the release of what a contract can no longer earn after an early
-- return, a cancelled assignment, a termination or a completion (contracts.release_unearned).

BEGIN;

-- Helpers -------------------------------------------------------------------------------------------

CREATE FUNCTION contracts.line_bounds(p_contract_id bigint)
RETURNS TABLE (contract_line_id bigint, max_gross numeric, earned_gross numeric)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id,
           l.unit_price * (coalesce(a.bound_days, 0)
               + CASE WHEN c.status = 'ACTIVE'
                      THEN greatest(l.quantity - coalesce(a.live, 0), 0)
                           * greatest((c.end_date + 1) - greatest(current_date, c.start_date), 0)
                      ELSE 0 END),
           l.unit_price * coalesce(a.earned_days, 0)
      FROM contracts.contract_line l
      JOIN contracts.contract c ON c.id = l.contract_id
      LEFT JOIN LATERAL (
          SELECT count(*) FILTER (WHERE s.live) AS live,
                 sum(greatest(
                     CASE s.status
                          WHEN 'RETURNED' THEN least(s.ended_on, upper(s.period))
                          ELSE upper(s.period) END
                     - CASE s.status
                          WHEN 'PENDING_DELIVERY' THEN greatest(current_date, lower(s.period))
                          ELSE greatest(s.started_on, lower(s.period)) END, 0))
                     FILTER (WHERE s.status <> 'CANCELLED') AS bound_days,
                 sum(greatest(
                     least(coalesce(s.ended_on, upper(s.period)), upper(s.period), current_date)
                     - greatest(s.started_on, lower(s.period)), 0))
                     FILTER (WHERE s.status IN ('ACTIVE', 'RETURNED')) AS earned_days
            FROM contracts.assignment s
           WHERE s.contract_line_id = l.id) a ON true
     WHERE l.contract_id = p_contract_id
     ORDER BY l.id;
END;
COMMENT ON FUNCTION contracts.line_bounds(bigint) IS
'Per line of a contract: max_gross, the most the line can still have earned in total (settled or not), and
earned_gross, what it has earned up to yesterday. Per assignment, billable days are the calendar days in
[greatest(started_on, start), least(coalesce(ended_on, end + 1), end + 1)); the bound counts a RETURNED assignment''s
actual days, an ACTIVE one until the end of its period, a PENDING_DELIVERY one from today (a handover is never
back-dated), a CANCELLED one nothing, and each quantity slot without a live assignment from today to the end date
while the contract is ACTIVE (nothing once it is TERMINATED or COMPLETED). All amounts are days x unit_price, so
they are exact in the currency''s minor units. Errors: none. Assumes READ COMMITTED.';

CREATE FUNCTION contracts.hold_reference(p_line_id bigint, p_settled_gross numeric, p_released numeric)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ledger.build_reference('contract-line', p_line_id, 'hold', trim_scale(p_settled_gross)::text, trim_scale(p_released)::text);
COMMENT ON FUNCTION contracts.hold_reference(bigint, numeric, numeric) IS
'The ledger reference of the escrow hold a line should have once it has settled p_settled_gross and released
p_released (both only grow, so every hold of the chain has its own reference and a retry of the same step replays
it). Settlement calls it for the hold it leaves after a capture.';

-- Activation: escrow ----------------------------------------------------------------------------------

CREATE FUNCTION contracts.activate_contract(p_contract_id bigint)
RETURNS contracts.contract
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v         contracts.contract;
    v_avail   numeric;
    v_hold    bigint;
    l         contracts.contract_line;
BEGIN
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    PERFORM contracts.require_contract_party(v, false);
    IF v.status = 'ACTIVE' THEN
        RETURN v;   -- a retry
    ELSIF v.status <> 'PENDING_ACTIVATION' THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s is %s', p_contract_id, v.status));
    ELSIF v.end_date < current_date THEN
        PERFORM core.raise('CONTRACTS_INVALID_STATE', format('contract %s ended on %s', p_contract_id, v.end_date));
    END IF;
    PERFORM 1 FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id FOR UPDATE;
    -- Lock the wallet so the funds check and the holds see the same available amount.
    PERFORM 1 FROM ledger.account WHERE id = v.business_wallet_account_id FOR UPDATE;
    v_avail := ledger.available(v.business_wallet_account_id);
    IF coalesce(v_avail, 0) < v.total_amount THEN
        PERFORM core.raise('CONTRACTS_INSUFFICIENT_FUNDS',
                           format('contract %s needs %s %s, wallet %s has %s available', p_contract_id,
                                  v.total_amount, v.currency, v.business_wallet_account_id, coalesce(v_avail, 0)));
    END IF;
    FOR l IN SELECT * FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id LOOP
        v_hold := ledger.create_hold(contracts.hold_reference(l.id, l.settled_gross, l.released), v.business_wallet_account_id, trim_scale(l.total_amount), NULL,
                                     format('escrow contract %s line %s', p_contract_id, l.id));
        UPDATE contracts.contract_line SET hold_id = v_hold, escrowed = total_amount WHERE id = l.id;
    END LOOP;
    UPDATE contracts.contract SET status = 'ACTIVE', activated_at = now() WHERE id = p_contract_id RETURNING * INTO v;
    PERFORM audit.record('contracts', 'contract', p_contract_id::text, 'ACTIVATED', NULL,
                         jsonb_build_object('escrowed', v.total_amount, 'wallet_account_id', v.business_wallet_account_id));
    RETURN v;
END
$$;
COMMENT ON FUNCTION contracts.activate_contract(bigint) IS
'Activate a contract: hold its full amount in escrow on the business wallet, one ledger hold per line (reference
contract-line:<id>:hold:0:0, so a retried step replays), then ACTIVE. Caller: the business owner (or the service
role). Idempotent on an ACTIVE contract. Not enough available funds: CONTRACTS_INSUFFICIENT_FUNDS (402, detail: needed
vs available) and nothing changes. Errors: CONTRACTS_UNKNOWN_CONTRACT, CONTRACTS_FORBIDDEN, CONTRACTS_INVALID_STATE,
CONTRACTS_INSUFFICIENT_FUNDS, LEDGER_ACCOUNT_FROZEN/CLOSED. Locks the contract, its lines (ascending id), then the
wallet account. Assumes READ COMMITTED.';

-- Releasing the unearned part ---------------------------------------------------------------------

CREATE FUNCTION contracts.release_unearned(p_contract_id bigint)
RETURNS numeric
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v        contracts.contract;
    v_total  numeric := 0;
    v_hold   bigint;
    r        record;
    l        contracts.contract_line;
BEGIN
    SELECT * INTO v FROM contracts.contract WHERE id = p_contract_id FOR SHARE;
    IF NOT FOUND THEN
        PERFORM core.raise('CONTRACTS_UNKNOWN_CONTRACT', format('contract %s', p_contract_id));
    END IF;
    IF v.status IN ('PENDING_ACTIVATION', 'CANCELLED') THEN
        RETURN 0;
    END IF;
    PERFORM 1 FROM contracts.contract_line WHERE contract_id = p_contract_id ORDER BY id FOR UPDATE;
    FOR r IN
        SELECT ln AS line,
               (ln.escrowed - ln.settled_gross - ln.released)
               - least(ln.escrowed - ln.settled_gross - ln.released, greatest(b.max_gross - ln.settled_gross, 0)) AS excess
          FROM contracts.line_bounds(p_contract_id) b
          JOIN contracts.contract_line ln ON ln.id = b.contract_line_id
         ORDER BY ln.id
    LOOP
        CONTINUE WHEN r.excess <= 0;
        l := r.line;
        PERFORM ledger.release_hold(ledger.build_reference('contract-line', l.id, 'release', trim_scale(l.released + r.excess)::text),
                                    l.hold_id);
        l.released := l.released + r.excess;
        v_hold := NULL;
        IF l.escrowed - l.settled_gross - l.released > 0 THEN
            v_hold := ledger.create_hold(contracts.hold_reference(l.id, l.settled_gross, l.released), v.business_wallet_account_id,
                                         trim_scale(l.escrowed - l.settled_gross - l.released), NULL,
                                         format('escrow contract %s line %s', p_contract_id, l.id));
        END IF;
        UPDATE contracts.contract_line SET released = l.released, hold_id = v_hold WHERE id = l.id;
        v_total := v_total + r.excess;
    END LOOP;
    IF v_total > 0 THEN
        PERFORM audit.record('contracts', 'contract', p_contract_id::text, 'UNEARNED_RELEASED', NULL,
                             jsonb_build_object('released', v_total));
    END IF;
    RETURN v_total;
END
$$;
COMMENT ON FUNCTION contracts.release_unearned(bigint) IS
'Give back to the business what the contract can no longer earn; returns the amount released. Per line the hold must
cover max_gross - settled_gross (contracts.line_bounds); anything above is released: the current hold is released
and a new one is created for the remainder (hold_id follows it; none when nothing remains). Only releases, never
holds more. Internal: called by terminate/complete/cancel_assignment and by delivery after a return (and by the
back office). Errors: CONTRACTS_UNKNOWN_CONTRACT, LEDGER_ACCOUNT_FROZEN/CLOSED (the new hold). Locks the contract
(FOR SHARE), its lines (ascending id), then the wallet via the ledger. Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
