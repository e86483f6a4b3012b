-- Verify mercato:functions/identity/jobs on pg
-- Existence and privileges only.

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'identity.purge_throttle'
   AND to_regprocedure(function_name) = 'identity.purge_throttle(integer)'::regprocedure;
SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'identity.purge_tokens' AND to_regprocedure(function_name) = 'identity.purge_tokens(integer)'::regprocedure;
SELECT 1 / (NOT has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.purge_throttle(integer)'::regprocedure, 'identity.purge_tokens(integer)'::regprocedure]) f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) r;

ROLLBACK;
