-- Tests for functions/ledger/jobs: the hold expiry sweep is a registered job, and running it sweeps.
BEGIN;
SELECT plan(4);

SELECT results_eq($$SELECT function_name, schedule, enabled FROM jobs.job WHERE name = 'ledger.expire_holds'$$,
                  $$VALUES ('ledger.expire_holds(integer)', '*/5 * * * *', true)$$,
                  'ledger.expire_holds is registered every five minutes, enabled');

-- an open hold past its expiry (aged by the owner, guard off for that one statement)
CREATE TEMP TABLE a AS SELECT ledger.open_account('PLATFORM', 'jobs-bank', 'CLEARING', 'ETB', true) AS src,
                              ledger.open_account('BUSINESS', 'jobs-b1', 'MAIN', 'ETB') AS biz;
SELECT ledger.transfer('jobs-fund', (SELECT src FROM a), (SELECT biz FROM a), 100);
CREATE TEMP TABLE h AS SELECT ledger.create_hold('jobs-hold', (SELECT biz FROM a), 30, now() + interval '1 hour') AS id;
ALTER TABLE ledger.hold DISABLE TRIGGER hold_terms_immutable;
UPDATE ledger.hold SET expires_at = now() - interval '1 minute' WHERE id = (SELECT id FROM h);
ALTER TABLE ledger.hold ENABLE TRIGGER hold_terms_immutable;

SELECT results_eq($$SELECT outcome, result FROM jobs.run('ledger.expire_holds')$$, $$VALUES ('OK', '1'::jsonb)$$,
                  'the job runs the sweep and records how many holds it expired');
SELECT is((SELECT status FROM ledger.hold WHERE id = (SELECT id FROM h)), 'EXPIRED', 'the hold is expired');
SELECT results_eq($$SELECT outcome, result FROM jobs.run('ledger.expire_holds')$$, $$VALUES ('OK', '0'::jsonb)$$,
                  'the next run finds nothing');

SELECT * FROM finish();
ROLLBACK;
