-- Tests for functions/settlement/integrity: the job settlement.integrity is registered, succeeds after a settlement
-- and is recorded FAILED with SETTLEMENT_INTEGRITY_VIOLATION and the violation in its detail when a cycle no longer
-- equals its lines.
BEGIN;
SELECT plan(5);

SELECT results_eq($$SELECT function_name, schedule, enabled FROM jobs.job WHERE name = 'settlement.integrity'$$,
                  $$VALUES ('settlement.assert_integrity()', '27 4 * * *', true)$$,
                  'settlement.integrity is registered daily, enabled');

SELECT tests.put(k, v) FROM tests.settlement_world();
SELECT tests.put('cy1', (settlement.settle_provider(tests.id('p1'), current_date - 20, current_date - 14, 'r1')).id);

SELECT results_eq($$SELECT outcome, result FROM jobs.run('settlement.integrity')$$,
                  $$VALUES ('OK', '{"checks": 3, "failed": 0}'::jsonb)$$,
                  'after a settlement the run is OK');

UPDATE settlement.cycle SET gross = gross + 1, net = net + 1 WHERE id = tests.id('cy1');

SELECT throws_like($$SELECT settlement.assert_integrity()$$, 'SETTLEMENT_INTEGRITY_VIOLATION:%',
                   'assert_integrity raises its catalogued code on a violation');
CREATE TEMP TABLE r AS SELECT * FROM jobs.run('settlement.integrity');
SELECT results_eq($$SELECT outcome, error_code FROM r$$, $$VALUES ('FAILED', 'SETTLEMENT_INTEGRITY_VIOLATION')$$,
                  'the job run is recorded FAILED with the code');
SELECT ok((SELECT error_detail LIKE '1 of 3 checks failed: cycle_equals_its_lines: 1 violation(s), e.g. %'
                  AND error_detail ~ ('"cycle_id": ' || tests.id('cy1') || '[,}]') FROM r),
          'its detail names the failed check and the offending cycle');

SELECT * FROM finish();
ROLLBACK;
