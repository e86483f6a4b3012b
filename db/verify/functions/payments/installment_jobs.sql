-- Verify mercato:functions/payments/installment_jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.installments_auto_debit'
   AND to_regprocedure(function_name) = 'payments.collect_due_installments(integer)'::regprocedure;

ROLLBACK;
