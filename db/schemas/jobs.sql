-- Deploy mercato:schemas/jobs to pg
-- The kernel's periodic work: a registry of jobs (name, cron schedule, function) and the history of their runs.

BEGIN;

CREATE SCHEMA jobs;
COMMENT ON SCHEMA jobs IS
'Kernel: every periodic duty (expiry sweeps, recalculations, partitions ahead, lapsed states) is a registered job — a
name, a 5-field cron schedule and a function called without arguments — and every run is recorded with its outcome.
pg_cron runs the jobs where it is installed (mercato jobs schedule), mercato jobs run runs the same list elsewhere.
Knows no product: each module registers its own jobs in a change of its own. No API role holds any privilege here:
only the owner (the back office connection, pg_cron) registers and runs jobs.';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('JOBS_UNKNOWN_JOB', 'jobs', 'PT404', 'no such job', 'mercato jobs list shows the registered jobs',
 'No job of that name is registered (jobs.job); nothing was run or changed.'),
('JOBS_INVALID_JOB', 'jobs', 'PT400', 'the job registration is malformed', NULL,
 'A job name is <module>.<duty> in lower snake case (at most 48 characters), a schedule has five cron fields '
 '(minute hour day-of-month month day-of-week: *, numbers, ranges a-b, lists and /steps within each field''s range), '
 'a description 1 to 1,000 characters; the detail names the field.'),
('JOBS_UNKNOWN_FUNCTION', 'jobs', 'PT400', 'the job''s function does not exist or cannot be called without arguments',
 'name it schema-qualified with its argument types, e.g. ledger.expire_holds(integer); every argument needs a default',
 'At registration: no such function, a procedure, a function outside a Mercato schema, one with an argument '
 'without default, one returning a trigger, or another overload that a call without arguments would also match. '
 'At run time: the registered function was dropped since (the run is recorded as FAILED with this code).'),
('JOBS_DISABLED', 'jobs', 'PT409', 'the job is disabled', 'enable it (mercato jobs enable NAME) or run it explicitly',
 'jobs.run refuses a disabled job unless p_even_if_disabled is true; mercato jobs schedule leaves it out of pg_cron.'),
('JOBS_RUN_IMMUTABLE', 'jobs', 'PT403', 'a recorded job run never changes', NULL,
 'jobs.job_run is a history: UPDATE is refused for everyone (the owner included). Rows go only with their job.');

-- The CHECK of jobs.job.schedule (an IMMUTABLE helper like masterdata.setting_value_is_valid: defined with the table
-- whose constraint calls it).
CREATE FUNCTION jobs.cron_schedule_is_valid(p_schedule text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN length(p_schedule) <= 256
   AND cardinality(regexp_split_to_array(p_schedule, ' +')) = 5
   AND NOT EXISTS (
       SELECT 1
         FROM unnest(regexp_split_to_array(p_schedule, ' +'), ARRAY[0, 0, 1, 1, 0], ARRAY[59, 23, 31, 12, 7])
                  AS f(field, lo, hi)
        CROSS JOIN LATERAL regexp_split_to_table(f.field, ',') AS i(item)
        -- an item is * or a or a-b, optionally /step: groups 2 = a, 4 = b, 6 = step
        CROSS JOIN LATERAL (SELECT regexp_match(i.item, '^(\*|([0-9]{1,2})(-([0-9]{1,2}))?)(/([0-9]{1,2}))?$') AS m) p
        WHERE p.m IS NULL
           OR coalesce(p.m[2]::integer NOT BETWEEN f.lo AND f.hi, false)
           OR coalesce(p.m[4]::integer NOT BETWEEN p.m[2]::integer AND f.hi, false)
           OR coalesce(p.m[6]::integer = 0, false));
COMMENT ON FUNCTION jobs.cron_schedule_is_valid(text) IS
'True when p_schedule is a 5-field cron schedule: minute (0-59), hour (0-23), day of month (1-31), month (1-12), day
of week (0-7, 0 and 7 are Sunday), separated by single or repeated spaces; each field a comma list of *, a or a-b
(a <= b, within the field''s range), each optionally followed by /step (step >= 1). Month and day names and the
@hourly shorthands are not accepted (one spelling per schedule). The CHECK of jobs.job.schedule; jobs.register asks it
first to refuse with JOBS_INVALID_JOB. pg_cron accepts every schedule it accepts.';

CREATE TABLE jobs.job (
    id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT job_pkey PRIMARY KEY,
    name          text NOT NULL CONSTRAINT job_name_key UNIQUE
                  CONSTRAINT job_name_check CHECK (name ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$' AND length(name) <= 48),
    schedule      text NOT NULL CONSTRAINT job_schedule_check CHECK (jobs.cron_schedule_is_valid(schedule)),
    function_name text NOT NULL
                  CONSTRAINT job_function_name_check CHECK (function_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\(.*\)$'
                                                            AND length(function_name) <= 512),
    description   text NOT NULL CONSTRAINT job_description_check CHECK (length(btrim(description)) BETWEEN 1 AND 1000),
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE jobs.job IS
'A periodic duty: name (<module>.<duty>, the module that registered it), a 5-field cron schedule (UTC, as pg_cron
reads it), the function to call without arguments, what it does, and whether it runs. Written by jobs.register and
jobs.set_enabled (each module registers its own jobs in a change of its own); every change is audited.
function_name is the function''s signature as regprocedure prints it with a pinned search_path
(ledger.expire_holds(integer)), stored as text and resolved at each run, not as a regprocedure column: pg_upgrade
refuses user tables holding regprocedure values, and a function dropped and created again (a rework) gets a new oid
under the same signature.';
COMMENT ON COLUMN jobs.job.function_name IS
'Signature of the function called, e.g. ledger.expire_holds(integer); checked by jobs.register (exists, in a Mercato
schema, every argument has a default, no ambiguous overload) and resolved again at each run.';

CREATE TABLE jobs.job_run (
    id             bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT job_run_pkey PRIMARY KEY,
    job_id         bigint NOT NULL CONSTRAINT job_run_job_id_fkey REFERENCES jobs.job (id) ON DELETE CASCADE,
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NOT NULL,
    duration       interval NOT NULL GENERATED ALWAYS AS (finished_at - started_at) STORED,
    outcome        text NOT NULL CONSTRAINT job_run_outcome_check CHECK (outcome IN ('OK', 'FAILED')),
    result         jsonb,
    error_sqlstate text CONSTRAINT job_run_error_sqlstate_check CHECK (error_sqlstate ~ '^[0-9A-Z]{5}$'),
    error_code     text CONSTRAINT job_run_error_code_check CHECK (error_code ~ '^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$'),
    error_message  text,
    error_detail   text,
    run_by         text NOT NULL DEFAULT session_user,
    CONSTRAINT job_run_finished_at_check CHECK (finished_at >= started_at),
    CONSTRAINT job_run_error_check CHECK (
        (outcome = 'FAILED') = (error_sqlstate IS NOT NULL AND error_message IS NOT NULL)
        AND (outcome = 'FAILED' OR (error_code IS NULL AND error_detail IS NULL))
        AND (outcome = 'OK' OR result IS NULL))
);
COMMENT ON TABLE jobs.job_run IS
'One run of a job, recorded by jobs.run when it ends: when it started and finished (clock time) and how long it took,
OK with the function''s answer as JSON (result: a scalar, a row as an object, or the first 100 rows of a set), or
FAILED with the error it raised (SQLSTATE, Mercato code when core.raise raised it, message, detail) — the job''s own
work rolled back, the record kept. run_by is the login that ran it (pg_cron runs as the role that scheduled it).
Never updated (JOBS_RUN_IMMUTABLE); rows go only with their job (a revert of its registration).';
CREATE INDEX job_run_job_id_started_at_idx ON jobs.job_run (job_id, started_at);

CREATE TRIGGER job_audit AFTER INSERT OR UPDATE OR DELETE ON jobs.job
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER job_run_immutable BEFORE UPDATE ON jobs.job_run
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('JOBS_RUN_IMMUTABLE');

-- Owner only: no API role holds anything here (not even USAGE on the schema).
REVOKE ALL ON jobs.job, jobs.job_run FROM PUBLIC;

COMMIT;
