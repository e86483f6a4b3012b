-- Verify mercato:functions/jobs on pg

BEGIN;

SELECT 'jobs.register(text, text, text, text, boolean)'::regprocedure, 'jobs.set_enabled(text, boolean)'::regprocedure,
       'jobs.run(text, boolean)'::regprocedure, 'jobs.run_all()'::regprocedure,
       'jobs.resolve_function(text)'::regprocedure, 'jobs.call_statement(regprocedure)'::regprocedure;
-- Owner only: no API role executes any of them.
SELECT 1 / (NOT bool_or(has_function_privilege(r, f, 'EXECUTE')))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
       unnest(ARRAY['jobs.register(text, text, text, text, boolean)', 'jobs.set_enabled(text, boolean)',
                    'jobs.run(text, boolean)', 'jobs.run_all()']::regprocedure[]) f;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions, which no API role executes (what a caller needs has an api entry point)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['jobs.call_statement(regprocedure)'::regprocedure,
                    'jobs.resolve_function(text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
