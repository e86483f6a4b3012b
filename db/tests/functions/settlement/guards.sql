-- Tests for functions/settlement/guards: settlement records never change, whoever writes, the owner included.
BEGIN;
SELECT plan(2);

SELECT tests.put(k, v) FROM tests.settlement_world();
SELECT tests.put('cy1', (settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')).id);

SELECT throws_like($$DELETE FROM settlement.cycle_line WHERE cycle_id = tests.id('cy1')$$, 'SETTLEMENT_IMMUTABLE:%',
                   'cycle lines are immutable');
SELECT throws_like($$DELETE FROM settlement.cycle WHERE id = tests.id('cy1')$$, 'SETTLEMENT_IMMUTABLE:%',
                   'and a cycle is never deleted');

SELECT * FROM finish();
ROLLBACK;
