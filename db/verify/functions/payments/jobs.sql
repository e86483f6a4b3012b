-- Verify mercato:functions/payments/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.sweep_rail_instructions'
   AND to_regprocedure(function_name) = 'payments.sweep_rail_instructions(integer)'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.expire_funding_sessions'
   AND to_regprocedure(function_name) = 'payments.expire_funding_sessions(integer)'::regprocedure;

ROLLBACK;
