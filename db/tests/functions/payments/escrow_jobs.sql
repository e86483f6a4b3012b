-- Tests for functions/payments/escrow_jobs: the auto-release job is registered and runs through jobs.run.
BEGIN;
SELECT plan(2);

SELECT is((SELECT (schedule, function_name, enabled)::text FROM jobs.job WHERE name = 'payments.escrow_auto_release'),
          '("*/15 * * * *","payments.release_due_escrows(integer)",t)', 'registered every 15 minutes');
SELECT lives_ok($$SELECT jobs.run('payments.escrow_auto_release')$$, 'it runs');

SELECT * FROM finish();
ROLLBACK;
