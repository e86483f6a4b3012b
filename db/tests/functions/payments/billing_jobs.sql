-- Tests for functions/payments/billing_jobs: the overdue marker is a registered job, and it runs.
BEGIN;
SELECT plan(2);

SELECT is((SELECT (schedule, function_name, enabled)::text FROM jobs.job WHERE name = 'payments.invoice_overdue'),
          '("7 * * * *","payments.mark_overdue_invoices(integer)",t)', 'payments.invoice_overdue runs hourly');
SELECT is((jobs.run('payments.invoice_overdue')).outcome, 'OK', 'and runs cleanly');

SELECT * FROM finish();
ROLLBACK;
