-- Verify mercato:functions/payments/intent_jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.intent_expiry' AND to_regprocedure(function_name) = 'payments.expire_intents(integer)'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.idempotency_retention'
   AND to_regprocedure(function_name) = 'payments.purge_idempotency_keys(integer)'::regprocedure;

ROLLBACK;
