-- Deploy mercato:functions/settlement to pg
-- Settle a provider's period from escrow: gross earned by its assignments, commission at each contract's snapshotted
-- rate (rounded to the currency, clamped), net to the provider's wallet and commission to the platform, one ledger
-- capture per line, all in one database transaction; a run over every provider; reads and the integrity check.

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('SETTLEMENT_INVALID_PERIOD', 'settlement', 'PT400', 'the settlement period or reference is malformed', NULL,
 'period_start and period_end are required with period_start <= period_end; the reference has 1-200 characters.'),
('SETTLEMENT_PERIOD_OPEN', 'settlement', 'PT409', 'the period is not over yet', 'settle periods that ended before today',
 'Only periods ending before today (database clock) can be settled: later days may still change.'),
('SETTLEMENT_PERIOD_SETTLED', 'settlement', 'PT409', 'the provider already has a settlement overlapping this period', NULL,
 'A provider''s settled periods never overlap (exclusion constraint on settlement.cycle).'),
('SETTLEMENT_REFERENCE_CONFLICT', 'settlement', 'PT422', 'the reference was used for another settlement', NULL,
 'The same reference with another provider, currency or period: idempotency conflict.'),
('SETTLEMENT_NOTHING_TO_SETTLE', 'settlement', 'PT409', 'the provider earned nothing in the period', NULL,
 'No vehicle-day of the provider falls in the period; no cycle is recorded.'),
('SETTLEMENT_FORBIDDEN', 'settlement', 'PT403', 'the caller may not do this', NULL,
 'Settling is for the service role and marketplace admins; a provider reads only its own cycles.'),
('SETTLEMENT_UNKNOWN_PROVIDER', 'settlement', 'PT404', 'no such provider', NULL, 'Unknown provider id.'),
('SETTLEMENT_UNKNOWN_CYCLE', 'settlement', 'PT404', 'no such settlement cycle', NULL, 'Unknown cycle id.'),
('SETTLEMENT_IMMUTABLE', 'settlement', 'PT403', 'settlement records never change', NULL,
 'UPDATE/DELETE of a cycle line, or DELETE of a cycle.');

CREATE TRIGGER cycle_line_immutable BEFORE UPDATE OR DELETE ON settlement.cycle_line
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('SETTLEMENT_IMMUTABLE');
CREATE TRIGGER cycle_no_delete BEFORE DELETE ON settlement.cycle
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('SETTLEMENT_IMMUTABLE');

CREATE FUNCTION settlement.run_reference(p_period_start date, p_period_end date, p_provider_id bigint, p_currency text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN format('period:%s:%s:provider:%s:%s', p_period_start, p_period_end, p_provider_id, p_currency);
COMMENT ON FUNCTION settlement.run_reference(date, date, bigint, text) IS
'The reference of the cycle a period run settles for one provider and currency (settlement.run_period and
settlement.settle_period_step): the same run step always names the same cycle.';

CREATE FUNCTION settlement.commission(p_gross numeric, p_rate numeric, p_min numeric, p_max numeric, p_minor_units integer)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN least(p_gross,
             greatest(round(p_min, p_minor_units),
                      least(coalesce(round(p_max, p_minor_units), round(p_gross * p_rate, p_minor_units)),
                            round(p_gross * p_rate, p_minor_units))));
COMMENT ON FUNCTION settlement.commission(numeric, numeric, numeric, numeric, integer) IS
'The commission of one settlement line: gross x rate rounded to the currency''s minor units half away from zero
(PostgreSQL round(numeric, n): 0.005 -> 0.01), then clamped to [min, max] (bounds rounded the same way; max NULL =
none), and never above gross. net = gross - commission is then exact.';

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
               l.released, pp.commission_rate, pp.commission_min, pp.commission_max, pp.wallet_account_id,
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
        v_comm := settlement.commission(r.days * r.unit_price, r.commission_rate, r.commission_min, r.commission_max, v_units);
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
rate/min/max); net = gross - commission. Each line''s escrow hold is captured (net to the provider''s wallet from
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

CREATE FUNCTION settlement.period_settled(p_provider_id bigint, p_currency text, p_period_start date, p_period_end date)
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN EXISTS (SELECT 1 FROM settlement.cycle c
                WHERE c.provider_id = p_provider_id AND c.currency = p_currency
                  AND daterange(c.period_start, c.period_end, '[]') && daterange(p_period_start, p_period_end, '[]'));
COMMENT ON FUNCTION settlement.period_settled(bigint, text, date, date) IS
'True when the provider already has a cycle in this currency overlapping [p_period_start, p_period_end]: a period run
skips it (an earlier run, or this one before a crash). Expects a valid period (start <= end); callers check it first.';

CREATE FUNCTION settlement.run_period(p_period_start date, p_period_end date)
RETURNS TABLE (currency text, cycles integer, lines bigint, gross numeric, commission numeric, net numeric,
               skipped integer)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ids   bigint[] := '{}'::bigint[];
    v_skipped text[] := '{}'::text[];
    v_cycle settlement.cycle;
    r       record;
BEGIN
    -- Every (provider, currency) with vehicle-days in the period, in one scan (period_to_settle checks the caller and
    -- the period first); those with a cycle overlapping the period (e.g. an earlier run) are skipped.
    FOR r IN
        SELECT s.provider_id, s.currency,
               settlement.period_settled(s.provider_id, s.currency, p_period_start, p_period_end) AS settled
          FROM settlement.period_to_settle(p_period_start, p_period_end) s
    LOOP
        IF r.settled THEN
            v_skipped := v_skipped || r.currency;
            CONTINUE;
        END IF;
        v_cycle := settlement.settle(r.provider_id, r.currency, p_period_start, p_period_end,
                                     settlement.run_reference(p_period_start, p_period_end, r.provider_id, r.currency));
        v_ids := v_ids || v_cycle.id;
    END LOOP;
    RETURN QUERY
    SELECT cur, coalesce(t.cycles, 0)::integer, coalesce(t.lines, 0), coalesce(t.gross, 0), coalesce(t.commission, 0),
           coalesce(t.net, 0), coalesce(s.n, 0)::integer
      FROM (SELECT c.currency::text AS cur FROM settlement.cycle c WHERE c.id = ANY (v_ids)
            UNION SELECT k FROM unnest(v_skipped) k) cs
      LEFT JOIN (SELECT c.currency::text AS cur2, count(*) AS cycles, sum(c.gross) AS gross, sum(c.commission) AS commission,
                        sum(c.net) AS net,
                        (SELECT count(*) FROM settlement.cycle_line cl WHERE cl.cycle_id = ANY (v_ids)) AS lines
                   FROM settlement.cycle c WHERE c.id = ANY (v_ids) GROUP BY c.currency) t ON t.cur2 = cs.cur
      LEFT JOIN (SELECT k AS cur3, count(*) AS n FROM unnest(v_skipped) k GROUP BY k) s
             ON s.cur3 = cs.cur
     ORDER BY cs.cur;
END
$$;
COMMENT ON FUNCTION settlement.run_period(date, date) IS
'Settle every provider with vehicle-days in a closed period, one cycle per provider and currency (reference
period:<start>:<end>:provider:<id>:<currency>), all in this one transaction; providers already settled for an
overlapping period are skipped. Returns per currency: cycles made, lines, gross, commission, net, skipped.
Candidates come from one scan; each provider''s lines are read once. Caller: the service role or a marketplace admin.
Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD, SETTLEMENT_PERIOD_OPEN and those of settlement.settle.
Assumes READ COMMITTED; lock order as settlement.settle, providers in ascending id.';

CREATE FUNCTION settlement.list_cycles(p_provider_id bigint DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS SETOF settlement.cycle
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider bigint := p_provider_id;
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        v_provider := (parties.current_provider()).id;
        IF p_provider_id IS NOT NULL AND p_provider_id <> v_provider THEN
            PERFORM core.raise('SETTLEMENT_FORBIDDEN', format('provider %s', p_provider_id));
        END IF;
    END IF;
    RETURN QUERY
    SELECT c.* FROM settlement.cycle c
     WHERE v_provider IS NULL OR c.provider_id = v_provider
     ORDER BY c.period_start DESC, c.id DESC
     LIMIT least(greatest(coalesce(p_limit, 100), 1), 1000);
END
$$;
COMMENT ON FUNCTION settlement.list_cycles(bigint, integer) IS
'Settlement cycles, newest period first: a provider sees its own; a marketplace admin any provider''s (or all).
Errors: SETTLEMENT_FORBIDDEN, IDENTITY_NOT_A_PROVIDER, IDENTITY_NOT_AUTHENTICATED. Assumes READ COMMITTED.';

CREATE FUNCTION settlement.get_cycle(p_cycle_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v settlement.cycle;
BEGIN
    SELECT * INTO v FROM settlement.cycle WHERE id = p_cycle_id;
    IF NOT FOUND THEN
        PERFORM core.raise('SETTLEMENT_UNKNOWN_CYCLE', format('cycle %s', p_cycle_id));
    END IF;
    IF NOT parties.is_marketplace_admin() AND (parties.current_provider()).id IS DISTINCT FROM v.provider_id THEN
        PERFORM core.raise('SETTLEMENT_FORBIDDEN', format('cycle %s belongs to another provider', p_cycle_id));
    END IF;
    RETURN to_jsonb(v) || jsonb_build_object('lines',
        (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.contract_line_id), '[]')
           FROM settlement.cycle_line l WHERE l.cycle_id = p_cycle_id));
END
$$;
COMMENT ON FUNCTION settlement.get_cycle(bigint) IS
'One cycle with its lines as JSON, for its provider or a marketplace admin. Errors: SETTLEMENT_UNKNOWN_CYCLE,
SETTLEMENT_FORBIDDEN, IDENTITY_NOT_A_PROVIDER. Assumes READ COMMITTED.';

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


CREATE FUNCTION settlement.period_to_settle(p_period_start date, p_period_end date)
RETURNS TABLE (provider_id bigint, currency text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        PERFORM core.raise('SETTLEMENT_FORBIDDEN', 'settling is for the service role and marketplace admins');
    END IF;
    IF p_period_start IS NULL OR p_period_end IS NULL OR p_period_start > p_period_end THEN
        PERFORM core.raise('SETTLEMENT_INVALID_PERIOD', format('%s..%s', p_period_start, p_period_end));
    ELSIF p_period_end >= current_date THEN
        PERFORM core.raise('SETTLEMENT_PERIOD_OPEN', format('%s..%s ends on or after today (%s)', p_period_start,
                                                            p_period_end, current_date));
    END IF;
    RETURN QUERY
    SELECT e.provider_id, e.currency
      FROM (SELECT DISTINCT a.provider_id, k.currency::text AS currency
              FROM contracts.assignment a JOIN contracts.contract k ON k.id = a.contract_id
             WHERE a.status IN ('ACTIVE', 'RETURNED') AND a.started_on <= p_period_end
               AND lower(a.period) <= p_period_end AND upper(a.period) > p_period_start
               AND least(coalesce(a.ended_on, upper(a.period)), upper(a.period), p_period_end + 1)
                   > greatest(a.started_on, lower(a.period), p_period_start)) e
     ORDER BY e.provider_id, e.currency;
END
$$;
COMMENT ON FUNCTION settlement.period_to_settle(date, date) IS
'The steps of a settlement run in steps: each (provider, currency) with vehicle-days in a closed period.
In ascending provider id, including those already settled (settlement.settle_period_step skips them); one scan. Read
once, then settle each row in its own transaction (settlement.run_period_in_steps, mercato settle run). Caller: the
service role or a marketplace admin. Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD, SETTLEMENT_PERIOD_OPEN.
Assumes READ COMMITTED.';

CREATE FUNCTION settlement.settle_period_step(p_period_start date, p_period_end date, p_provider_id bigint,
                                              p_currency text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cycle settlement.cycle;
BEGIN
    IF NOT parties.is_marketplace_admin() THEN
        PERFORM core.raise('SETTLEMENT_FORBIDDEN', 'settling is for the service role and marketplace admins');
    END IF;
    -- The period first: daterange() below would fail raw (22000) on an inverted one.
    IF p_period_start IS NULL OR p_period_end IS NULL OR p_period_start > p_period_end THEN
        PERFORM core.raise('SETTLEMENT_INVALID_PERIOD', format('%s..%s', p_period_start, p_period_end));
    END IF;
    IF settlement.period_settled(p_provider_id, p_currency, p_period_start, p_period_end) THEN
        RETURN NULL;   -- settled before (an earlier run, or this one before a crash)
    END IF;
    v_cycle := settlement.settle(p_provider_id, p_currency, p_period_start, p_period_end,
                                 settlement.run_reference(p_period_start, p_period_end, p_provider_id, p_currency));
    RETURN v_cycle.id;
END
$$;
COMMENT ON FUNCTION settlement.settle_period_step(date, date, bigint, text) IS
'One step of a settlement run in steps: settle one provider and currency for a closed period; NULL if skipped.
The row comes from settlement.period_to_settle. The cycle gets the run''s reference
period:<start>:<end>:provider:<id>:<currency> and its id is returned; a provider that already has a cycle overlapping
the period is skipped. Meant to be the only work of its transaction, so each caller''s transaction sets its own role
and claims (a pooled connection keeps no session state). Caller: the service role or a marketplace admin.
Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD and those of settlement.settle. Assumes READ COMMITTED; locks
as settlement.settle.';

CREATE PROCEDURE settlement.run_period_in_steps(p_period_start date, p_period_end date, INOUT p_cycles integer DEFAULT 0,
                                                INOUT p_skipped integer DEFAULT 0)
LANGUAGE plpgsql
-- No SET search_path here: PostgreSQL forbids COMMIT in a procedure with a SET clause. Every name below is
-- schema-qualified, and the work is done by settlement.period_to_settle and settlement.settle_period_step, which pin
-- their own.
AS $$
DECLARE
    v_todo  bigint[];
    v_cur   text[];
    i       integer;
BEGIN
    -- The candidates, read once (this checks the caller and the period); then one transaction per provider and
    -- currency, committed before the next.
    SELECT array_agg(s.provider_id ORDER BY s.provider_id, s.currency), array_agg(s.currency ORDER BY s.provider_id, s.currency)
      INTO v_todo, v_cur
      FROM settlement.period_to_settle(p_period_start, p_period_end) s;
    COMMIT;
    FOR i IN 1 .. coalesce(cardinality(v_todo), 0) LOOP
        IF settlement.settle_period_step(p_period_start, p_period_end, v_todo[i], v_cur[i]) IS NULL THEN
            p_skipped := p_skipped + 1;   -- settled before (an earlier run, or this one before a crash)
        ELSE
            p_cycles := p_cycles + 1;
        END IF;
        COMMIT;
    END LOOP;
END
$$;
COMMENT ON PROCEDURE settlement.run_period_in_steps(date, date, integer, integer) IS
'Settle every provider with earnings in a closed period like settlement.run_period, but COMMIT after each provider''s
cycle: no transaction holds the hot commission account, the business wallets or the escrow lines for the whole run
(rows updated many times in one transaction grow version chains that every later update walks), a crash loses at most
the cycle in flight, and running it again resumes (providers already settled for the period are skipped; the cycle
reference is the same, so a cycle committed just before a crash is never paid twice). CALL it outside a transaction
block (autocommit). Returns the cycles made and skipped. Caller: the owner, e.g. a DBA''s psql session (a procedure
that COMMITs cannot be SECURITY DEFINER, so no API role holds EXECUTE on it). API roles, and pooled clients, which
must leave no session state behind, drive the same steps themselves, one transaction each with role and claims set
locally: api.period_to_settle, then api.settle_period_step per row (mercato settle run, Client.run_settlement_in_steps).
Errors: SETTLEMENT_FORBIDDEN, SETTLEMENT_INVALID_PERIOD, SETTLEMENT_PERIOD_OPEN and those of settlement.settle.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).
-- API roles settle in steps through api.period_to_settle and api.settle_period_step; the procedure, which COMMITs and so
-- cannot be SECURITY DEFINER, is for the owner's own sessions.
REVOKE ALL ON PROCEDURE settlement.run_period_in_steps(date, date, integer, integer) FROM PUBLIC;

COMMIT;
