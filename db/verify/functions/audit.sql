-- Verify mercato:functions/audit on pg
-- Existence and privileges only: each statement raises when one piece is missing (its cast fails, no partition) or
-- executable by an API role (division by zero).

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['audit.ensure_partitions(timestamptz, integer)'::regprocedure,
                    'audit.record(text, text, text, text, jsonb, jsonb)'::regprocedure,
                    'audit.track()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- the partitions created ahead
SELECT 1 / count(*) FROM pg_catalog.pg_inherits WHERE inhparent = 'audit.event'::regclass;

ROLLBACK;
