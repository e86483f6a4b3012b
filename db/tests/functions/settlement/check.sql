-- Tests for functions/settlement/check: the integrity check is clean after a settlement and finds a cycle that no
-- longer equals its lines.
BEGIN;
SELECT plan(2);

SELECT tests.put(k, v) FROM tests.settlement_world();
SELECT tests.put('cy1', (settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')).id);
SELECT is((SELECT count(*) FROM settlement.check() WHERE NOT ok), 0::bigint, 'settlement.check() is clean after a settlement');

-- check() detects corruption ------------------------------------------------------------------------
UPDATE settlement.cycle SET gross = gross + 1, net = net + 1 WHERE id = tests.id('cy1');
SELECT is((SELECT violations FROM settlement.check() WHERE check_name = 'cycle_equals_its_lines'), 1::bigint,
          'settlement.check() reports a cycle that no longer equals its lines');

SELECT * FROM finish();
ROLLBACK;
