-- Tests for functions/settlement/settle: the commission of a line (rounding, min/max clamp, the minimum's share of a
-- small line at its boundaries), who may settle which period, escrow captures, a period settled once (same and
-- overlapping, same reference replays), and the next period after an early return and a termination.
BEGIN;
SELECT plan(50);

SELECT tests.put(k, v) FROM tests.settlement_world();
CREATE FUNCTION pg_temp.bal(p_account text) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT balance FROM ledger.account_balance(tests.id(p_account)) $$;
CREATE FUNCTION pg_temp.platform() RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT balance FROM ledger.account_balance(
        (SELECT id FROM ledger.account WHERE owner_type = 'PLATFORM' AND owner_id = 'platform' AND purpose = 'COMMISSION'))), 0) $$;

-- The commission formula ----------------------------------------------------------------------------
-- (gross, rate, minimum, maximum, minimum share, the currency's minor units)
SELECT is(settlement.commission(1000.09, 0.1, 50, 50000, 0.25, 2), 100.01::numeric, '100.009 rounds to 100.01');
SELECT is(settlement.commission(1000.05, 0.1, 50, 50000, 0.25, 2), 100.01::numeric, 'half a cent (100.005) rounds away from zero');
SELECT is(settlement.commission(1000.04, 0.1, 50, 50000, 0.25, 2), 100.00::numeric, '100.004 rounds down');
SELECT is(settlement.commission(1005, 0.1, 0, NULL, 0.25, 0), 101::numeric, 'a currency without minor units rounds 100.5 to 101');
SELECT is(settlement.commission(300, 0.1, 50, 50000, 0.25, 2), 50::numeric, 'clamped up to the minimum');
SELECT is(settlement.commission(23.31, 0.1, 50, 50000, 0.25, 2), 5.82::numeric,
          'but the minimum takes at most its share of a small line (23.31 x 0.25, rounded down), never the whole gross');
SELECT is(settlement.commission(560000, 0.1, 50, 50000, 0.25, 2), 50000::numeric, 'clamped down to the maximum');
SELECT is(settlement.commission(560000, 0.1, 50, NULL, 0.25, 2), 56000::numeric, 'no maximum');
-- The floor is least(minimum, gross x share): its boundaries.
SELECT is(settlement.commission(100, 0.1, 50, 50000, 0.25, 2), 25::numeric, 'a 100.00 line pays 25.00, not the 50.00 minimum (50 %)');
SELECT is(settlement.commission(199.99, 0.1, 50, 50000, 0.25, 2), 49.99::numeric, 'just below 200.00 the share decides: 49.99');
SELECT is(settlement.commission(200, 0.1, 50, 50000, 0.25, 2), 50::numeric, 'from 200.00 the whole minimum applies');
SELECT is(settlement.commission(500, 0.1, 50, 50000, 0.25, 2), 50::numeric, 'at 500.00 the rate reaches the minimum');
SELECT is(settlement.commission(501, 0.1, 50, 50000, 0.25, 2), 50.10::numeric, 'above it the rate decides');
SELECT is(settlement.commission(100.03, 0.1, 50, 50000, 0.25, 2), 25.00::numeric,
          'the share is rounded down (25.0075 -> 25.00), so the floor never exceeds it');
SELECT is(settlement.commission(101, 0.1, 50, NULL, 0.25, 0), 25::numeric, 'in a currency without minor units too (25.25 -> 25)');
SELECT is(settlement.commission(100, 0.1, 0, NULL, 0, 2), 10::numeric, 'no minimum, no share: the rate alone');

-- Who may settle; which periods ----------------------------------------------------------------------
SELECT tests.as_user('prov-1');
SELECT throws_like($$SELECT api.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')$$,
                   'SETTLEMENT_FORBIDDEN:%', 'a provider cannot settle itself');
RESET ROLE;
SELECT throws_like($$SELECT settlement.settle_provider(tests.id('p1'), current_date - 2, current_date, 'r-open')$$,
                   'SETTLEMENT_PERIOD_OPEN:%', 'a period that has not ended cannot be settled');
SELECT throws_ok($$SELECT settlement.settle_provider(tests.id('p1'), current_date - 2, current_date - 3, 'r-bad')$$, 'PT400', NULL,
                 'start after end is bad input');
SELECT throws_like($$SELECT settlement.settle_provider(-1, current_date - 20, current_date - 14, 'r-x')$$,
                   'SETTLEMENT_UNKNOWN_PROVIDER:%', 'unknown provider');
SELECT throws_like($$SELECT settlement.settle_provider(tests.id('p2'), current_date - 20, current_date - 14, 'r-p2')$$,
                   'SETTLEMENT_NOTHING_TO_SETTLE:%', 'a provider without vehicle-days has nothing to settle');

-- A later commission version does not change the contract's rate.
SELECT lives_ok($$SELECT masterdata.add_policy_version('COMMISSION_STRATEGY', now(), '{"rows": "masterdata.commission_rule"}', 'v2')$$,
                'a new commission version (30 %) is in force now');
INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount)
SELECT (masterdata.policy_in_force('COMMISSION_STRATEGY', now())).id, t.code, 'ETB', 0.3, 0, NULL FROM masterdata.provider_tier t;

-- Settling days -20..-14 (7 days) -------------------------------------------------------------------
SELECT tests.put('cy1', (settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')).id);
SELECT results_eq($$SELECT contract_line_id, vehicle_days, gross, commission_rate, commission, net FROM settlement.cycle_line
                     WHERE cycle_id = tests.id('cy1') ORDER BY contract_line_id$$,
                  $$VALUES (tests.id('l1'), 7, 1000.0900::numeric(20,4), 0.10000::numeric(6,5), 100.0100::numeric(20,4), 900.0800::numeric(20,4)),
                           (tests.id('l2'), 7, 23.3100::numeric(20,4), 0.10000::numeric(6,5), 5.8200::numeric(20,4), 17.4900::numeric(20,4)),
                           (tests.id('l3'), 7, 560000.0000::numeric(20,4), 0.10000::numeric(6,5), 50000.0000::numeric(20,4), 510000.0000::numeric(20,4))$$,
                  'per line: 7 vehicle-days x price, commission at the contract''s 10 % rounded, clamped to min (at most a quarter of the line) and max');
SELECT results_eq($$SELECT gross, commission, net, currency::text, period_start, period_end FROM settlement.cycle WHERE id = tests.id('cy1')$$,
                  $$VALUES (561023.4000::numeric(20,4), 50105.8300::numeric(20,4), 510917.5700::numeric(20,4), 'ETB', current_date - 20, current_date - 14)$$,
                  'the cycle sums its lines');
SELECT is(pg_temp.bal('w_p1'), 510917.57::numeric, 'the provider''s wallet got the net');
SELECT is(pg_temp.platform(), 50105.83::numeric, 'the platform commission account got the commission');
SELECT is(pg_temp.bal('w_b1'), 2500000 - 561023.40::numeric, 'the gross left the business wallet');
SELECT is(tests.held(tests.id('w_b1')), 2404386.00 - 561023.40::numeric, 'from its escrow');
SELECT results_eq($$SELECT l.settled_gross, h.amount FROM contracts.contract_line l JOIN ledger.hold h ON h.id = l.hold_id AND h.status = 'OPEN'
                     WHERE l.contract_id = tests.id('c') ORDER BY l.id$$,
                  $$VALUES (1000.0900::numeric(20,4), 3286.0100::numeric), (23.3100::numeric(20,4), 76.5900::numeric),
                           (560000.0000::numeric(20,4), 1840000.0000::numeric)$$,
                  'each line''s escrow continues in a new hold for the rest');
SELECT is(tests.failing_checks(), 0::bigint, 'contracts.check() and settlement.check() are clean after settling');

-- A period is settled once ----------------------------------------------------------------------------
SELECT is((settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')).id, tests.id('cy1'),
          'a replay with the same reference returns the original cycle');
SELECT is(pg_temp.bal('w_p1'), 510917.57::numeric, 'and pays nothing again');
SELECT throws_ok($$SELECT settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r2')$$, 'PT409', NULL,
                 'the same period under another reference is refused (409)');
SELECT throws_like($$SELECT settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r2')$$,
                   'SETTLEMENT_PERIOD_SETTLED:%', 'with its own code');
SELECT throws_like($$SELECT settlement.settle_provider(tests.id('p1'), current_date - 15, current_date - 10, 'r3')$$,
                   'SETTLEMENT_PERIOD_SETTLED:%', 'an overlapping period is refused too');
SELECT throws_ok($$SELECT settlement.settle_provider(tests.id('p1'), current_date - 13, current_date - 10, 'r1')$$, 'PT422', NULL,
                 'reusing a reference for another period is an idempotency conflict');
SELECT throws_like($$SELECT settlement.settle_provider(tests.id('p1'), current_date - 13, current_date - 10, 'r1')$$,
                   'SETTLEMENT_REFERENCE_CONFLICT:%', 'with its own code');
SELECT throws_like($$INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
                     VALUES (tests.id('p1'), 'ETB', current_date - 14, current_date - 14, 0, 0, 0, 'direct')$$,
                   '%cycle_no_overlap_excl%', 'the exclusion constraint backs it even for the owner');
SELECT is((SELECT count(*) FROM settlement.cycle), 1::bigint, 'one cycle');

-- Early return, then the next period and termination ------------------------------------------------
-- Days -13..-7 are settled by a period run (settlement/runs). The sedan came back 3 days ago; the period -6..-1
-- pays it for days -6..-4 only.
SELECT settlement.run_period(current_date - 13, current_date - 7);
UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date - 3 WHERE vehicle_id = tests.id('v1');
SELECT lives_ok($$SELECT contracts.release_unearned(tests.id('c'))$$, 'the return releases what the empty days cannot earn');
SELECT tests.put('cy3', (settlement.settle_provider(tests.id('p1'), current_date - 6, current_date - 1, 'r-last')).id);
SELECT is((SELECT vehicle_days FROM settlement.cycle_line WHERE cycle_id = tests.id('cy3') AND contract_line_id = tests.id('l1')), 3,
          'the returned sedan is paid until its return date (not included)');
SELECT is((SELECT vehicle_days FROM settlement.cycle_line WHERE cycle_id = tests.id('cy3') AND contract_line_id = tests.id('l3')), 6,
          'the active pickup for all 6 days');
SELECT is(tests.failing_checks(), 0::bigint, 'checks are clean');
SELECT is((contracts.terminate_contract(tests.id('c'), 'done early')).status, 'TERMINATED', 'terminate');
SELECT is((SELECT hold_id FROM contracts.contract_line WHERE id = tests.id('l1')), NULL::bigint,
          'the sedan''s line is fully settled and released: no hold left');
SELECT results_eq($$SELECT settled_gross + released = escrowed FROM contracts.contract_line WHERE contract_id = tests.id('c') ORDER BY id$$,
                  $$VALUES (true), (true), (true)$$, 'every line''s escrow is resolved (everything earned was settled up to yesterday)');
SELECT is(tests.held(tests.id('w_b1')), 0::numeric, 'nothing is held any more');
SELECT is(pg_temp.bal('w_b1') + pg_temp.bal('w_p1') + pg_temp.platform(), 2500000::numeric, 'no money appeared or vanished');
SELECT is(tests.failing_checks(), 0::bigint, 'checks are clean after termination');
SELECT is((SELECT count(*) FROM ledger.check() WHERE NOT ok), 0::bigint, 'and so is the ledger');

SELECT * FROM finish();
ROLLBACK;
