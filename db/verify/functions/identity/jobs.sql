-- Verify mercato:functions/identity/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'identity.recalculate_tiers' AND to_regprocedure(function_name) = 'identity.recalculate_tiers()'::regprocedure;

ROLLBACK;
