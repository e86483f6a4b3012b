-- Tests for functions/contracts/integrity: the job contracts.integrity is registered, succeeds on consistent
-- contracts and is recorded FAILED with CONTRACTS_INTEGRITY_VIOLATION and the violation in its detail when a line's
-- escrow no longer equals its hold.
BEGIN;
SELECT plan(5);

SELECT results_eq($$SELECT function_name, schedule, enabled FROM jobs.job WHERE name = 'contracts.integrity'$$,
                  $$VALUES ('contracts.assert_integrity()', '17 4 * * *', true)$$,
                  'contracts.integrity is registered daily, enabled');

SELECT tests.put(k, v) FROM tests.contracts_world(true);

SELECT results_eq($$SELECT outcome, result FROM jobs.run('contracts.integrity')$$,
                  $$VALUES ('OK', '{"checks": 7, "failed": 0}'::jsonb)$$,
                  'on an active contract the run is OK');

UPDATE contracts.contract_line SET released = released + 1 WHERE id = tests.id('l2');

SELECT throws_like($$SELECT contracts.assert_integrity()$$, 'CONTRACTS_INTEGRITY_VIOLATION:%',
                   'assert_integrity raises its catalogued code on a violation');
CREATE TEMP TABLE r AS SELECT * FROM jobs.run('contracts.integrity');
SELECT results_eq($$SELECT outcome, error_code FROM r$$, $$VALUES ('FAILED', 'CONTRACTS_INTEGRITY_VIOLATION')$$,
                  'the job run is recorded FAILED with the code');
SELECT ok((SELECT error_detail LIKE '%hold_equals_escrow_remainder: 1 violation(s), e.g. %'
                  AND error_detail ~ ('"contract_line_id": ' || tests.id('l2') || '[,}]') FROM r),
          'its detail names the failed check and the offending line');

SELECT * FROM finish();
ROLLBACK;
