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

ROLLBACK;
