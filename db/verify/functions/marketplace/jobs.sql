-- Verify mercato:functions/marketplace/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'marketplace.close_lapsed_rfqs' AND to_regprocedure(function_name) = 'marketplace.close_lapsed_rfqs(interval)'::regprocedure;

ROLLBACK;
