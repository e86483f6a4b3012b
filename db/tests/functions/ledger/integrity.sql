-- Tests for functions/ledger/integrity: the job ledger.integrity is registered, succeeds on a clean ledger and is
-- recorded FAILED with LEDGER_INTEGRITY_VIOLATION and the violation in its detail when a balance is corrupted.
BEGIN;
SELECT plan(7);

SELECT results_eq($$SELECT function_name, schedule, enabled FROM jobs.job WHERE name = 'ledger.integrity'$$,
                  $$VALUES ('ledger.assert_integrity()', '7 4 * * *', true)$$,
                  'ledger.integrity is registered daily, enabled');

CREATE TEMP TABLE a AS SELECT ledger.open_account('PLATFORM', 'integrity-bank', 'CLEARING', 'ETB', true) AS src,
                              ledger.open_account('BUSINESS', 'integrity-b1', 'MAIN', 'ETB') AS biz;
SELECT ledger.transfer('integrity-fund', (SELECT src FROM a), (SELECT biz FROM a), 100);

SELECT results_eq($$SELECT outcome, result, error_code FROM jobs.run('ledger.integrity')$$,
                  $$VALUES ('OK', '{"checks": 10, "failed": 0}'::jsonb, NULL::text)$$,
                  'on a clean ledger the run is OK and says how many checks passed');

-- a balance tampered with by the owner, triggers off for that one statement
ALTER TABLE ledger.account DISABLE TRIGGER USER;
UPDATE ledger.account SET balance = balance + 1 WHERE id = (SELECT biz FROM a);
ALTER TABLE ledger.account ENABLE TRIGGER USER;

SELECT throws_ok($$SELECT ledger.assert_integrity()$$, 'PT500', NULL, 'assert_integrity raises on a violation');
SELECT throws_like($$SELECT ledger.assert_integrity()$$, 'LEDGER_INTEGRITY_VIOLATION:%', 'with its catalogued code');

CREATE TEMP TABLE r AS SELECT * FROM jobs.run('ledger.integrity');
SELECT results_eq($$SELECT outcome, error_sqlstate, error_code, result FROM r$$,
                  $$VALUES ('FAILED', 'PT500', 'LEDGER_INTEGRITY_VIOLATION', NULL::jsonb)$$,
                  'the job run is recorded FAILED with the code');
SELECT ok((SELECT error_detail LIKE '% of 10 checks failed: %balance_equals_entries: 1 violation(s), e.g. %'
                  AND error_detail ~ ('"account_id": ' || (SELECT biz FROM a) || '[,}]') FROM r),
          'its detail names the failed check, the number of violations and the offending account');

SELECT ok(NOT bool_or(has_function_privilege(role, 'ledger.assert_integrity()', 'EXECUTE')),
          'no API role executes ledger.assert_integrity')
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS role;

SELECT * FROM finish();
ROLLBACK;
