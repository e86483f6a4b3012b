-- Verify mercato:schemas/jobs on pg

BEGIN;

SELECT id, name, schedule, function_name, description, enabled, created_at, updated_at FROM jobs.job WHERE false;
SELECT id, job_id, started_at, finished_at, duration, outcome, result, error_sqlstate, error_code, error_message,
       error_detail, run_by
  FROM jobs.job_run WHERE false;
SELECT 'jobs.cron_schedule_is_valid(text)'::regprocedure;
SELECT 1 / count(*)::int FROM core.error WHERE code = 'JOBS_UNKNOWN_JOB';
SELECT 1 / count(*)::int FROM pg_trigger WHERE tgrelid = 'jobs.job_run'::regclass AND tgname = 'job_run_immutable';
SELECT 1 / count(*)::int FROM pg_trigger WHERE tgrelid = 'jobs.job'::regclass AND tgname = 'job_audit';
-- Owner only: no API role may use the schema or touch its tables.
SELECT 1 / (NOT bool_or(has_schema_privilege(r, 'jobs', 'USAGE')
                        OR has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
       unnest(ARRAY['jobs.job', 'jobs.job_run']) t;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions, which no API role executes (what a caller needs has an api entry point)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['jobs.cron_schedule_is_valid(text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- its triggers, each present and enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = x.tab::regclass AND t.tgname = x.name AND t.tgenabled <> 'D')::int
  FROM (VALUES ('jobs.job_run', 'job_run_immutable'),
               ('jobs.job', 'job_audit')) AS x(tab, name);
-- its error codes
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['JOBS_DISABLED',
                    'JOBS_INVALID_JOB',
                    'JOBS_RUN_IMMUTABLE',
                    'JOBS_UNKNOWN_FUNCTION']) AS c;

ROLLBACK;
