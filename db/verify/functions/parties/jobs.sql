-- Verify mercato:functions/parties/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'parties.recalculate_tiers' AND to_regprocedure(function_name) = 'parties.recalculate_tiers()'::regprocedure;

ROLLBACK;
