-- Verify mercato:functions/outbox/jobs on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'outbox.reclaim_expired' AND to_regprocedure(function_name) = 'outbox.reclaim_expired(integer)'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'outbox.retention' AND to_regprocedure(function_name) = 'outbox.purge_sent(integer)'::regprocedure;

ROLLBACK;
