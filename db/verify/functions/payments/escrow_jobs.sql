-- Verify mercato:functions/payments/escrow_jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.escrow_auto_release'
   AND to_regprocedure(function_name) = 'payments.release_due_escrows(integer)'::regprocedure;

ROLLBACK;
