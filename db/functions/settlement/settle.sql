-- Deploy mercato:functions/settlement/settle to pg
-- Settle one provider's closed period from escrow: gross earned by its assignments, commission at each contract's
-- snapshotted rate (rounded to the currency, clamped), net to the provider's wallet and commission to the
-- platform, one ledger capture per line, all in one database transaction; a period is settled once.

BEGIN;

CREATE FUNCTION settlement.commission(p_gross numeric, p_rate numeric, p_min numeric, p_max numeric, p_min_share numeric,
                                      p_minor_units integer)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN least(p_gross,
             greatest(least(round(p_min, p_minor_units), trunc(p_gross * p_min_share, p_minor_units)),
                      least(coalesce(round(p_max, p_minor_units), round(p_gross * p_rate, p_minor_units)),
                            round(p_gross * p_rate, p_minor_units))));
COMMENT ON FUNCTION settlement.commission(numeric, numeric, numeric, numeric, numeric, integer) IS
'The commission of one settlement line: gross x rate rounded to the currency''s minor units half away from zero
(PostgreSQL round(numeric, n): 0.005 -> 0.01), at most max (rounded the same way; NULL = none) and at least the
floor least(min, gross x min_share), the share rounded down (trunc), so a minimum never takes more than min_share of
a small line (100.00 at 10 %, min 50.00, share 0.25: 25.00, not 50.00); never above gross. net = gross - commission
is then exact.';

CREATE FUNCTION settlement.settle(p_provider_id bigint, p_currency text, p_period_start date, p_period_end date,
                                  p_reference text)
RETURNS settlement.cycle
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cycle     settlement.cycle;
    v_units     smallint;
    v_platform  bigint;
    v_comm      numeric;
    v_net       numeric;
    v_dest      jsonb;
    v_tx        bigint;
    v_hold      bigint;
    v_left      numeric;
    v_ids       bigint[] := '{}'::bigint[];
    v_days      integer[] := '{}'::integer[];
    v_prices    numeric[] := '{}'::numeric[];
    v_gross     numeric[] := '{}'::numeric[];
    v_rates     numeric[] := '{}'::numeric[];
    v_comms     numeric[] := '{}'::numeric[];
    v_txs       bigint[] := '{}'::bigint[];
    v_holds     bigint[] := '{}'::bigint[];
    r           record;
BEGIN
    IF p_period_start IS NULL OR p_period_end IS NULL OR p_period_start > p_period_end
       OR p_reference IS NULL OR length(p_reference) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('SETTLEMENT_INVALID_PERIOD',
                           format('%s..%s, reference %s', p_period_start, p_period_end, coalesce(p_reference, 'NULL')));
    END IF;
    -- A replay of this very settlement returns the original cycle.
    SELECT * INTO v_cycle FROM settlement.cycle WHERE reference = p_reference;
    IF FOUND THEN
        IF (v_cycle.provider_id, v_cycle.currency::text, v_cycle.period_start, v_cycle.period_end)
           IS DISTINCT FROM (p_provider_id, p_currency, p_period_start, p_period_end) THEN
            PERFORM core.raise('SETTLEMENT_REFERENCE_CONFLICT', format('reference %s is cycle %s', p_reference, v_cycle.id));
        END IF;
        RETURN v_cycle;
    END IF;
    IF p_period_end >= current_date THEN
        PERFORM core.raise('SETTLEMENT_PERIOD_OPEN', format('%s..%s ends on or after today (%s)', p_period_start,
                                                            p_period_end, current_date));
    END IF;
    v_units := masterdata.currency_minor_units(p_currency);

    -- Claim the period first: the exclusion constraint serialises concurrent settlements of one provider (the
    -- second waits for the first to commit), before any line or hold is touched.
    BEGIN
        INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
        VALUES (p_provider_id, p_currency, p_period_start, p_period_end, 0, 0, 0, p_reference)
        RETURNING * INTO v_cycle;
    EXCEPTION WHEN unique_violation OR exclusion_violation THEN
        SELECT * INTO v_cycle FROM settlement.cycle WHERE reference = p_reference;
        IF FOUND THEN   -- a concurrent call with the same reference committed first
            IF (v_cycle.provider_id, v_cycle.currency::text, v_cycle.period_start, v_cycle.period_end)
               IS DISTINCT FROM (p_provider_id, p_currency, p_period_start, p_period_end) THEN
                PERFORM core.raise('SETTLEMENT_REFERENCE_CONFLICT', format('reference %s is cycle %s', p_reference, v_cycle.id));
            END IF;
            RETURN v_cycle;
        END IF;
        SELECT * INTO v_cycle FROM settlement.cycle c
         WHERE c.provider_id = p_provider_id AND c.currency = p_currency
           AND daterange(c.period_start, c.period_end, '[]') && daterange(p_period_start, p_period_end, '[]')
         ORDER BY c.id LIMIT 1;
        PERFORM core.raise('SETTLEMENT_PERIOD_SETTLED',
                           format('provider %s %s..%s overlaps cycle %s (%s..%s)', p_provider_id, p_period_start,
                                  p_period_end, v_cycle.id, v_cycle.period_start, v_cycle.period_end));
    END;

    -- Lock the earning lines (ascending id), then work through them by business wallet so that ledger account
    -- locks are taken in ascending order.
    -- (A line whose escrow is fully resolved stays so: it has nothing left to settle and is not locked.)
    PERFORM 1 FROM contracts.contract_line l
     WHERE l.id IN (SELECT a.contract_line_id FROM contracts.assignment a
                     WHERE a.provider_id = p_provider_id AND a.status IN ('ACTIVE', 'RETURNED'))
       AND l.escrowed - l.settled_gross - l.released > 0
     ORDER BY l.id FOR UPDATE;
    v_platform := ledger.open_account('PLATFORM', 'platform', 'COMMISSION', p_currency, false, 0, false, 16);
    FOR r IN
        SELECT l.id, l.hold_id, l.unit_price, l.escrowed - l.settled_gross - l.released AS remainder, l.settled_gross,
               l.released, pp.commission_rate, pp.commission_min, pp.commission_max, pp.commission_min_share,
               pp.wallet_account_id,
               c.id AS contract_id, c.business_wallet_account_id, e.days
          FROM (SELECT a.contract_line_id,
                       sum(greatest(least(coalesce(a.ended_on, upper(a.period)), upper(a.period), p_period_end + 1)
                                    - greatest(a.started_on, lower(a.period), p_period_start), 0))::integer AS days
                  FROM contracts.assignment a
                 WHERE a.provider_id = p_provider_id AND a.status IN ('ACTIVE', 'RETURNED')
                   AND a.started_on <= p_period_end AND lower(a.period) <= p_period_end
                   AND upper(a.period) > p_period_start
                 GROUP BY a.contract_line_id) e
          JOIN contracts.contract_line l ON l.id = e.contract_line_id
          JOIN contracts.contract c ON c.id = l.contract_id
          JOIN contracts.party_provider pp ON pp.contract_id = l.contract_id AND pp.provider_id = l.provider_id
         WHERE e.days > 0 AND c.currency = p_currency
         ORDER BY c.business_wallet_account_id, l.id
    LOOP
        v_comm := settlement.commission(r.days * r.unit_price, r.commission_rate, r.commission_min, r.commission_max,
                                        r.commission_min_share, v_units);
        v_net := r.days * r.unit_price - v_comm;
        v_dest := '[]'::jsonb;
        IF v_net > 0 THEN
            v_dest := v_dest || jsonb_build_object('account_id', r.wallet_account_id, 'amount', trim_scale(v_net)::text);
        END IF;
        IF v_comm > 0 THEN
            v_dest := v_dest || jsonb_build_object('account_id', v_platform, 'amount', trim_scale(v_comm)::text);
        END IF;
        v_tx := ledger.capture_hold(ledger.build_reference('settlement', v_cycle.id, 'line', r.id::text), r.hold_id, v_dest,
                                    format('settlement cycle %s, contract %s line %s, %s vehicle-days',
                                           v_cycle.id, r.contract_id, r.id, r.days));
        v_left := r.remainder - r.days * r.unit_price;
        v_hold := NULL;
        IF v_left > 0 THEN   -- the capture resolved the hold: hold the rest again
            v_hold := ledger.create_hold(
                contracts.hold_reference(r.id, r.settled_gross + r.days * r.unit_price, r.released),
                r.business_wallet_account_id, trim_scale(v_left), NULL, format('escrow contract %s line %s', r.contract_id, r.id));
        END IF;
        v_ids := v_ids || r.id;
        v_days := v_days || r.days;
        v_prices := v_prices || r.unit_price;
        v_gross := v_gross || (r.days * r.unit_price);
        v_rates := v_rates || r.commission_rate;
        v_comms := v_comms || v_comm;
        v_txs := v_txs || v_tx;
        v_holds := v_holds || v_hold;
    END LOOP;
    IF cardinality(v_ids) = 0 THEN
        PERFORM core.raise('SETTLEMENT_NOTHING_TO_SETTLE',
                           format('provider %s, %s, %s..%s', p_provider_id, p_currency, p_period_start, p_period_end));
    END IF;

    INSERT INTO settlement.cycle_line (cycle_id, contract_line_id, vehicle_days, unit_price, gross, commission_rate,
                                       commission, net, ledger_transaction_id)
    SELECT v_cycle.id, u.id, u.days, u.price, u.gross, u.rate, u.comm, u.gross - u.comm, u.tx
      FROM unnest(v_ids, v_days, v_prices, v_gross, v_rates, v_comms, v_txs) AS u(id, days, price, gross, rate, comm, tx);
    UPDATE contracts.contract_line l SET settled_gross = l.settled_gross + u.gross, hold_id = u.hold
      FROM unnest(v_ids, v_gross, v_holds) AS u(id, gross, hold)
     WHERE l.id = u.id;
    UPDATE settlement.cycle c
       SET gross = s.gross, commission = s.comm, net = s.gross - s.comm
      FROM (SELECT sum(g) AS gross, sum(m) AS comm FROM unnest(v_gross, v_comms) AS u(g, m)) s
     WHERE c.id = v_cycle.id
    RETURNING c.* INTO v_cycle;
    PERFORM audit.record('settlement', 'cycle', v_cycle.id::text, 'SETTLED', NULL,
                         jsonb_build_object('provider_id', p_provider_id, 'currency', p_currency,
                                            'period_start', p_period_start, 'period_end', p_period_end,
                                            'lines', cardinality(v_ids), 'gross', v_cycle.gross,
                                            'commission', v_cycle.commission, 'net', v_cycle.net));
    RETURN v_cycle;
END
$$;
COMMENT ON FUNCTION settlement.settle(bigint, text, date, date, text) IS
'Internal: settle one provider''s earnings in one currency for [p_period_start, p_period_end] (inclusive, ended
before today). Per contract line: vehicle-days = calendar days of its ACTIVE/RETURNED assignments in
[greatest(started_on, period start), least(coalesce(ended_on, period end + 1), period end + 1)) intersected with the
settlement period; gross = days x unit_price; commission = settlement.commission(gross, the contract''s snapshotted
rate/min/max/min share); net = gross - commission. Each line''s escrow hold is captured (net to the provider''s wallet from
the snapshot, commission to the hot PLATFORM COMMISSION account) and a new hold made for what remains. The cycle row
is inserted first: a replayed reference returns the original cycle, another reference for an overlapping period is
SETTLEMENT_PERIOD_SETTLED (also against a concurrent call, which waits for the first to commit).
Errors: SETTLEMENT_INVALID_PERIOD, SETTLEMENT_PERIOD_OPEN, SETTLEMENT_PERIOD_SETTLED, SETTLEMENT_REFERENCE_CONFLICT,
SETTLEMENT_NOTHING_TO_SETTLE, LEDGER_* from the captures. Locks the cycle (index), the provider''s earning lines
(ascending id), then ledger accounts by business wallet id. Assumes READ COMMITTED.';

CREATE FUNCTION settlement.settle_provider(p_provider_id bigint, p_period_start date, p_period_end date,
                                           p_reference text, p_currency text DEFAULT NULL)
RETURNS settlement.cycle
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        PERFORM core.raise('SETTLEMENT_FORBIDDEN', 'settling is for the service role and marketplace admins');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM parties.provider WHERE id = p_provider_id) THEN
        PERFORM core.raise('SETTLEMENT_UNKNOWN_PROVIDER', format('provider %s', p_provider_id));
    END IF;
    RETURN settlement.settle(p_provider_id, coalesce(p_currency, masterdata.setting_text('MARKETPLACE_CURRENCY')),
                             p_period_start, p_period_end, p_reference);
END
$$;
COMMENT ON FUNCTION settlement.settle_provider(bigint, date, date, text, text) IS
'Settle one provider for a closed period (see settlement.settle), in p_currency (default: the MARKETPLACE_CURRENCY
setting). p_reference is the idempotency key: the same reference returns the original cycle. Caller: the service role
or a marketplace admin. Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_UNKNOWN_PROVIDER and those of settlement.settle.
Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
