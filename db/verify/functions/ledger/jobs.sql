-- Verify mercato:functions/ledger/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'ledger.expire_holds' AND to_regprocedure(function_name) = 'ledger.expire_holds(integer)'::regprocedure;

ROLLBACK;
