-- Tests for functions/payments/installment_jobs: the auto-debit job is registered and runs through jobs.run.
BEGIN;
SELECT plan(2);

SELECT is((SELECT (schedule, function_name, enabled)::text FROM jobs.job WHERE name = 'payments.installments_auto_debit'),
          '("*/15 * * * *","payments.collect_due_installments(integer)",t)', 'registered every 15 minutes');
SELECT lives_ok($$SELECT jobs.run('payments.installments_auto_debit')$$, 'it runs');

SELECT * FROM finish();
ROLLBACK;
