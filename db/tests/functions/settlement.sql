-- Tests for functions/settlement: amounts (rounding, min/max clamp), escrow captures, a period settled once
-- (same and overlapping, same reference replays), the period run, reads, and settlement.check().
BEGIN;
-- The fixtures below load awarded RFQs with their bids directly (the marketplace has its own tests).
SET LOCAL mercato.bulk_load = on;
SELECT plan(52);

CREATE FUNCTION pg_temp.rfq(p_business bigint, p_start date, p_end date, p_awarded_at timestamptz,
                            p_status text DEFAULT 'AWARDED')
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO marketplace.rfq (business_id, title, currency, start_date, end_date, bid_deadline, status, published_at, awarded_at)
    VALUES (p_business, 'fleet', 'ETB', p_start, p_end, p_start::timestamptz - interval '2 days', p_status,
            now() - interval '3 days', CASE WHEN p_status = 'AWARDED' THEN p_awarded_at END)
    RETURNING id $$;
CREATE FUNCTION pg_temp.award(p_rfq bigint, p_line_no int, p_type text, p_engine text, p_qty int, p_provider bigint,
                              p_price numeric, p_awarded_at timestamptz DEFAULT now() - interval '1 day')
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_line bigint; v_bid bigint; v_award bigint;
BEGIN
    INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, engine_type, quantity_required)
    VALUES (p_rfq, p_line_no, p_type, p_engine, p_qty) RETURNING id INTO v_line;
    INSERT INTO marketplace.bid (rfq_id, provider_id, status) VALUES (p_rfq, p_provider, 'AWARDED')
    ON CONFLICT (rfq_id, provider_id) DO NOTHING;
    SELECT id INTO v_bid FROM marketplace.bid WHERE rfq_id = p_rfq AND provider_id = p_provider;
    INSERT INTO marketplace.bid_line (bid_id, rfq_line_id, unit_price, quantity_offered) VALUES (v_bid, v_line, p_price, p_qty);
    INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price, awarded_at)
    VALUES (p_rfq, v_line, v_bid, p_provider, p_qty, p_price, p_awarded_at) RETURNING id INTO v_award;
    RETURN v_award;
END $$;
CREATE FUNCTION pg_temp.vehicle(p_provider bigint, p_plate text, p_type text, p_engine text, p_status text,
                                p_from date, p_to date)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, engine_type, seat_count, status)
    VALUES (p_provider, p_plate, p_type, p_engine, 4, p_status) RETURNING id INTO v;
    IF p_from IS NOT NULL THEN
        INSERT INTO fleet.vehicle_insurance (vehicle_id, insurance_type, company_name, coverage_start, coverage_end,
                                                certificate_url, status)
        VALUES (v, 'COMPREHENSIVE', 'Nyala Insurance', p_from, p_to, 'https://example.test/cert', 'VERIFIED');
    END IF;
    RETURN v;
END $$;
CREATE FUNCTION pg_temp.n_checks_failing() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM contracts.check() WHERE NOT ok $$;

CREATE TEMP TABLE f (k text PRIMARY KEY, v bigint);
CREATE FUNCTION pg_temp.id(p_k text) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT v FROM f WHERE k = p_k $$;
CREATE FUNCTION pg_temp.put(p_k text, p_v bigint) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO f VALUES (p_k, p_v) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING v $$;
GRANT SELECT ON f TO mercato_user;
GRANT EXECUTE ON FUNCTION pg_temp.id(text) TO mercato_user;

DO $$
DECLARE v bigint;
BEGIN
    PERFORM pg_temp.put('bank', ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true));
    PERFORM pg_temp.put('w_b1', ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB'));
    PERFORM pg_temp.put('w_p1', ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB'));
    PERFORM pg_temp.put('w_p2', ledger.open_account('PROVIDER', 'p2', 'MAIN', 'ETB'));
    INSERT INTO parties.business (user_id, name, business_type, kyb_status, wallet_account_id)
    VALUES (identity.register_user('biz-1', 'BUSINESS', 'Biz One'), 'Biz One', 'NGO', 'VERIFIED', pg_temp.id('w_b1'))
    RETURNING id INTO v;
    PERFORM pg_temp.put('b1', v);
    INSERT INTO parties.provider (user_id, provider_type, name, verification_status, wallet_account_id)
    VALUES (identity.register_user('prov-1', 'PROVIDER', 'Prov One'), 'COMPANY', 'Prov One', 'VERIFIED', pg_temp.id('w_p1'))
    RETURNING id INTO v;
    PERFORM pg_temp.put('p1', v);
    INSERT INTO parties.provider (user_id, provider_type, name, verification_status, wallet_account_id)
    VALUES (identity.register_user('prov-2', 'PROVIDER', 'Prov Two'), 'INDIVIDUAL', 'Prov Two', 'VERIFIED', pg_temp.id('w_p2'))
    RETURNING id INTO v;
    PERFORM pg_temp.put('p2', v);

    -- 30 days from 20 days ago; P1 (BRONZE: 10 %, min 50, max 50000 per line and cycle) on three lines.
    PERFORM pg_temp.put('rfq', pg_temp.rfq(pg_temp.id('b1'), current_date - 20, current_date + 9, now() - interval '25 days'));
    PERFORM pg_temp.put('aw1', pg_temp.award(pg_temp.id('rfq'), 1, 'SEDAN', NULL, 1, pg_temp.id('p1'), 142.87));
    PERFORM pg_temp.put('aw2', pg_temp.award(pg_temp.id('rfq'), 2, 'SUV', NULL, 1, pg_temp.id('p1'), 3.33));
    PERFORM pg_temp.put('aw3', pg_temp.award(pg_temp.id('rfq'), 3, 'PICKUP', NULL, 1, pg_temp.id('p1'), 80000.00));
    PERFORM pg_temp.put('v1', pg_temp.vehicle(pg_temp.id('p1'), 'AA-1', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v2', pg_temp.vehicle(pg_temp.id('p1'), 'AA-2', 'SUV', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v3', pg_temp.vehicle(pg_temp.id('p1'), 'AA-3', 'PICKUP', 'DIESEL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM ledger.transfer('fund-b1', pg_temp.id('bank'), pg_temp.id('w_b1'), 2500000);
    PERFORM pg_temp.put('c', (contracts.create_contract(pg_temp.id('rfq'))).id);
    PERFORM contracts.activate_contract(pg_temp.id('c'));
    -- All three vehicles were handed over on the first day (as delivery records it).
    INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on)
    SELECT l.id, l.contract_id, l.provider_id, pg_temp.id(x.v), daterange(current_date - 20, current_date + 10), 'ACTIVE', current_date - 20
      FROM contracts.contract_line l JOIN (VALUES ('aw1', 'v1'), ('aw2', 'v2'), ('aw3', 'v3')) x(aw, v) ON l.award_id = pg_temp.id(x.aw);
    PERFORM pg_temp.put('l1', (SELECT id FROM contracts.contract_line WHERE award_id = pg_temp.id('aw1')));
    PERFORM pg_temp.put('l2', (SELECT id FROM contracts.contract_line WHERE award_id = pg_temp.id('aw2')));
    PERFORM pg_temp.put('l3', (SELECT id FROM contracts.contract_line WHERE award_id = pg_temp.id('aw3')));
END
$$;
CREATE FUNCTION pg_temp.bal(p_account text) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT balance FROM ledger.account_balance(pg_temp.id(p_account)) $$;
CREATE FUNCTION pg_temp.platform() RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT balance FROM ledger.account_balance(
        (SELECT id FROM ledger.account WHERE owner_type = 'PLATFORM' AND owner_id = 'platform' AND purpose = 'COMMISSION'))), 0) $$;
CREATE FUNCTION pg_temp.failing() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM contracts.check() WHERE NOT ok) + (SELECT count(*) FROM settlement.check() WHERE NOT ok) $$;

-- The commission formula ----------------------------------------------------------------------------
SELECT is(settlement.commission(1000.09, 0.1, 50, 50000, 2), 100.01::numeric, '100.009 rounds to 100.01');
SELECT is(settlement.commission(1000.05, 0.1, 50, 50000, 2), 100.01::numeric, 'half a cent (100.005) rounds away from zero');
SELECT is(settlement.commission(1000.04, 0.1, 50, 50000, 2), 100.00::numeric, '100.004 rounds down');
SELECT is(settlement.commission(1005, 0.1, 0, NULL, 0), 101::numeric, 'a currency without minor units rounds 100.5 to 101');
SELECT is(settlement.commission(300, 0.1, 50, 50000, 2), 50::numeric, 'clamped up to the minimum');
SELECT is(settlement.commission(23.31, 0.1, 50, 50000, 2), 23.31::numeric, 'but never above the gross');
SELECT is(settlement.commission(560000, 0.1, 50, 50000, 2), 50000::numeric, 'clamped down to the maximum');
SELECT is(settlement.commission(560000, 0.1, 50, NULL, 2), 56000::numeric, 'no maximum');

-- Who may settle; which periods ----------------------------------------------------------------------
SELECT set_config('request.jwt.claims', '{"sub": "prov-1", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_like($$SELECT api.settle_provider(pg_temp.id('p1'), current_date - 20, current_date - 14, 'r1')$$,
                   'SETTLEMENT_FORBIDDEN:%', 'a provider cannot settle itself');
RESET ROLE;
SELECT throws_like($$SELECT settlement.settle_provider(pg_temp.id('p1'), current_date - 2, current_date, 'r-open')$$,
                   'SETTLEMENT_PERIOD_OPEN:%', 'a period that has not ended cannot be settled');
SELECT throws_ok($$SELECT settlement.settle_provider(pg_temp.id('p1'), current_date - 2, current_date - 3, 'r-bad')$$, 'PT400', NULL,
                 'start after end is bad input');
SELECT throws_like($$SELECT settlement.settle_provider(-1, current_date - 20, current_date - 14, 'r-x')$$,
                   'SETTLEMENT_UNKNOWN_PROVIDER:%', 'unknown provider');
SELECT throws_like($$SELECT settlement.settle_provider(pg_temp.id('p2'), current_date - 20, current_date - 14, 'r-p2')$$,
                   'SETTLEMENT_NOTHING_TO_SETTLE:%', 'a provider without vehicle-days has nothing to settle');

-- A later commission version does not change the contract's rate.
SELECT lives_ok($$SELECT masterdata.add_policy_version('COMMISSION_STRATEGY', now(), '{"rows": "masterdata.commission_rule"}', 'v2')$$,
                'a new commission version (30 %) is in force now');
INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount)
SELECT (masterdata.policy_in_force('COMMISSION_STRATEGY', now())).id, t.code, 'ETB', 0.3, 0, NULL FROM masterdata.provider_tier t;

-- Settling days -20..-14 (7 days) -------------------------------------------------------------------
SELECT pg_temp.put('cy1', (settlement.settle_provider(pg_temp.id('p1'), current_date - 20, current_date - 14, 'r1')).id);
SELECT results_eq($$SELECT contract_line_id, vehicle_days, gross, commission_rate, commission, net FROM settlement.cycle_line
                     WHERE cycle_id = pg_temp.id('cy1') ORDER BY contract_line_id$$,
                  $$VALUES (pg_temp.id('l1'), 7, 1000.0900::numeric(20,4), 0.10000::numeric(6,5), 100.0100::numeric(20,4), 900.0800::numeric(20,4)),
                           (pg_temp.id('l2'), 7, 23.3100::numeric(20,4), 0.10000::numeric(6,5), 23.3100::numeric(20,4), 0.0000::numeric(20,4)),
                           (pg_temp.id('l3'), 7, 560000.0000::numeric(20,4), 0.10000::numeric(6,5), 50000.0000::numeric(20,4), 510000.0000::numeric(20,4))$$,
                  'per line: 7 vehicle-days x price, commission at the contract''s 10 % rounded, clamped to min (not above gross) and max');
SELECT results_eq($$SELECT gross, commission, net, currency::text, period_start, period_end FROM settlement.cycle WHERE id = pg_temp.id('cy1')$$,
                  $$VALUES (561023.4000::numeric(20,4), 50123.3200::numeric(20,4), 510900.0800::numeric(20,4), 'ETB', current_date - 20, current_date - 14)$$,
                  'the cycle sums its lines');
SELECT is(pg_temp.bal('w_p1'), 510900.08::numeric, 'the provider''s wallet got the net');
SELECT is(pg_temp.platform(), 50123.32::numeric, 'the platform commission account got the commission');
SELECT is(pg_temp.bal('w_b1'), 2500000 - 561023.40::numeric, 'the gross left the business wallet');
SELECT is((SELECT held FROM ledger.account_balance(pg_temp.id('w_b1'))), 2404386.00 - 561023.40::numeric, 'from its escrow');
SELECT results_eq($$SELECT l.settled_gross, h.amount FROM contracts.contract_line l JOIN ledger.hold h ON h.id = l.hold_id AND h.status = 'OPEN'
                     WHERE l.contract_id = pg_temp.id('c') ORDER BY l.id$$,
                  $$VALUES (1000.0900::numeric(20,4), 3286.0100::numeric), (23.3100::numeric(20,4), 76.5900::numeric),
                           (560000.0000::numeric(20,4), 1840000.0000::numeric)$$,
                  'each line''s escrow continues in a new hold for the rest');
SELECT is(pg_temp.failing(), 0::bigint, 'contracts.check() and settlement.check() are clean after settling');

-- A period is settled once ----------------------------------------------------------------------------
SELECT is((settlement.settle_provider(pg_temp.id('p1'), current_date - 20, current_date - 14, 'r1')).id, pg_temp.id('cy1'),
          'a replay with the same reference returns the original cycle');
SELECT is(pg_temp.bal('w_p1'), 510900.08::numeric, 'and pays nothing again');
SELECT throws_ok($$SELECT settlement.settle_provider(pg_temp.id('p1'), current_date - 20, current_date - 14, 'r2')$$, 'PT409', NULL,
                 'the same period under another reference is refused (409)');
SELECT throws_like($$SELECT settlement.settle_provider(pg_temp.id('p1'), current_date - 20, current_date - 14, 'r2')$$,
                   'SETTLEMENT_PERIOD_SETTLED:%', 'with its own code');
SELECT throws_like($$SELECT settlement.settle_provider(pg_temp.id('p1'), current_date - 15, current_date - 10, 'r3')$$,
                   'SETTLEMENT_PERIOD_SETTLED:%', 'an overlapping period is refused too');
SELECT throws_ok($$SELECT settlement.settle_provider(pg_temp.id('p1'), current_date - 13, current_date - 10, 'r1')$$, 'PT422', NULL,
                 'reusing a reference for another period is an idempotency conflict');
SELECT throws_like($$SELECT settlement.settle_provider(pg_temp.id('p1'), current_date - 13, current_date - 10, 'r1')$$,
                   'SETTLEMENT_REFERENCE_CONFLICT:%', 'with its own code');
SELECT throws_like($$INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
                     VALUES (pg_temp.id('p1'), 'ETB', current_date - 14, current_date - 14, 0, 0, 0, 'direct')$$,
                   '%cycle_no_overlap_excl%', 'the exclusion constraint backs it even for the owner');
SELECT is((SELECT count(*) FROM settlement.cycle), 1::bigint, 'one cycle');

-- The period run --------------------------------------------------------------------------------------
SELECT results_eq($$SELECT currency, cycles, lines, gross, commission, net, skipped FROM settlement.run_period(current_date - 13, current_date - 7)$$,
                  $$VALUES ('ETB'::text, 1, 3::bigint, 561023.40::numeric, 50123.32::numeric, 510900.08::numeric, 0)$$,
                  'run_period settles every provider with earnings and reports the totals');
SELECT results_eq($$SELECT currency, cycles, lines, skipped FROM settlement.run_period(current_date - 13, current_date - 7)$$,
                  $$VALUES ('ETB'::text, 0, 0::bigint, 1)$$, 'running the same period again settles nothing and skips the provider');
SELECT is(pg_temp.failing(), 0::bigint, 'checks are clean after the run');

-- Early return, then the next period and termination ------------------------------------------------
-- The sedan came back 3 days ago; the period -6..-1 pays it for days -6..-4 only.
UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date - 3 WHERE vehicle_id = pg_temp.id('v1');
SELECT lives_ok($$SELECT contracts.release_unearned(pg_temp.id('c'))$$, 'the return releases what the empty days cannot earn');
SELECT pg_temp.put('cy3', (settlement.settle_provider(pg_temp.id('p1'), current_date - 6, current_date - 1, 'r-last')).id);
SELECT is((SELECT vehicle_days FROM settlement.cycle_line WHERE cycle_id = pg_temp.id('cy3') AND contract_line_id = pg_temp.id('l1')), 3,
          'the returned sedan is paid until its return date (not included)');
SELECT is((SELECT vehicle_days FROM settlement.cycle_line WHERE cycle_id = pg_temp.id('cy3') AND contract_line_id = pg_temp.id('l3')), 6,
          'the active pickup for all 6 days');
SELECT is(pg_temp.failing(), 0::bigint, 'checks are clean');
SELECT is((contracts.terminate_contract(pg_temp.id('c'), 'done early')).status, 'TERMINATED', 'terminate');
SELECT is((SELECT hold_id FROM contracts.contract_line WHERE id = pg_temp.id('l1')), NULL::bigint,
          'the sedan''s line is fully settled and released: no hold left');
SELECT results_eq($$SELECT settled_gross + released = escrowed FROM contracts.contract_line WHERE contract_id = pg_temp.id('c') ORDER BY id$$,
                  $$VALUES (true), (true), (true)$$, 'every line''s escrow is resolved (everything earned was settled up to yesterday)');
SELECT is((SELECT held FROM ledger.account_balance(pg_temp.id('w_b1'))), 0::numeric, 'nothing is held any more');
SELECT is(pg_temp.bal('w_b1') + pg_temp.bal('w_p1') + pg_temp.platform(), 2500000::numeric, 'no money appeared or vanished');
SELECT is(pg_temp.failing(), 0::bigint, 'checks are clean after termination');
SELECT is((SELECT count(*) FROM ledger.check() WHERE NOT ok), 0::bigint, 'and so is the ledger');

-- Reads ---------------------------------------------------------------------------------------------------
SELECT set_config('request.jwt.claims', '{"sub": "prov-1", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*) FROM api.settlement_cycles()), 3::bigint, 'a provider lists its cycles');
SELECT is(jsonb_array_length(api.settlement_cycle(pg_temp.id('cy1')) -> 'lines'), 3, 'and reads one with its lines');
SELECT set_config('request.jwt.claims', '{"sub": "prov-2", "role": "mercato_user"}', true);
SELECT throws_like($$SELECT api.settlement_cycle(pg_temp.id('cy1'))$$, 'SETTLEMENT_FORBIDDEN:%', 'another provider cannot');
SELECT throws_like($$SELECT * FROM api.settlement_cycles(pg_temp.id('p1'))$$, 'SETTLEMENT_FORBIDDEN:%', 'nor list them');
RESET ROLE;
SELECT is((SELECT count(*) FROM audit.event WHERE module = 'settlement' AND action = 'SETTLED'), 3::bigint, 'one domain event per cycle');

-- check() detects corruption ------------------------------------------------------------------------
SELECT throws_like($$DELETE FROM settlement.cycle_line WHERE cycle_id = pg_temp.id('cy1')$$, 'SETTLEMENT_IMMUTABLE:%',
                   'cycle lines are immutable');
UPDATE settlement.cycle SET gross = gross + 1, net = net + 1 WHERE id = pg_temp.id('cy1');
SELECT is((SELECT violations FROM settlement.check() WHERE check_name = 'cycle_equals_its_lines'), 1::bigint,
          'settlement.check() reports a cycle that no longer equals its lines');

SELECT * FROM finish();
ROLLBACK;
