-- Verify mercato:functions/payments/billing_jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.invoice_overdue'
   AND to_regprocedure(function_name) = 'payments.mark_overdue_invoices(integer)'::regprocedure;

ROLLBACK;
