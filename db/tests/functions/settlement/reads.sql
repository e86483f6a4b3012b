-- Tests for functions/settlement/reads: a provider reads its own cycles, not another provider's.
BEGIN;
SELECT plan(5);

SELECT tests.put(k, v) FROM tests.settlement_world();
-- Three cycles of P1: days -20..-14 settled alone, -13..-7 by a period run, -6..-1 after the sedan's return.
SELECT tests.put('cy1', (settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')).id);
SELECT settlement.run_period(current_date - 13, current_date - 7);
UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date - 3 WHERE vehicle_id = tests.id('v1');
SELECT settlement.settle_provider(tests.id('p1'), current_date - 6, current_date - 1, 'r-last');

-- Reads ---------------------------------------------------------------------------------------------------
SELECT tests.as_user('prov-1');
SELECT is((SELECT count(*) FROM api.settlement_cycles()), 3::bigint, 'a provider lists its cycles');
SELECT is(jsonb_array_length(api.settlement_cycle(tests.id('cy1')) -> 'lines'), 3, 'and reads one with its lines');
SELECT tests.as_user('prov-2');
SELECT throws_like($$SELECT api.settlement_cycle(tests.id('cy1'))$$, 'SETTLEMENT_FORBIDDEN:%', 'another provider cannot');
SELECT throws_like($$SELECT * FROM api.settlement_cycles(tests.id('p1'))$$, 'SETTLEMENT_FORBIDDEN:%', 'nor list them');
RESET ROLE;
SELECT is((SELECT count(*) FROM audit.event WHERE module = 'settlement' AND action = 'SETTLED'), 3::bigint, 'one domain event per cycle');

SELECT * FROM finish();
ROLLBACK;
