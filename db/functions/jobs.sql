-- Deploy mercato:functions/jobs to pg
-- Register jobs (idempotent), run one job with its failure caught and recorded, run every enabled job each in its own
-- transaction.
--
-- Nothing here is granted to an API role: jobs are registered by deploy scripts and run by the owner (mercato jobs run,
-- pg_cron). A job's function runs with the privileges of whoever runs the job.

BEGIN;

CREATE FUNCTION jobs.resolve_function(p_function text)
RETURNS regprocedure
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_fn      regprocedure;
    v_problem text;
BEGIN
    IF p_function IS NULL OR length(p_function) NOT BETWEEN 1 AND 512 THEN
        PERFORM core.raise('JOBS_UNKNOWN_FUNCTION', 'the function is missing or longer than 512 characters');
    END IF;
    BEGIN
        -- With this search_path only schema-qualified names resolve (pg_catalog's own are refused below).
        v_fn := CASE WHEN strpos(p_function, '(') > 0 THEN to_regprocedure(p_function)
                     ELSE to_regproc(p_function)::regprocedure END;
    EXCEPTION WHEN OTHERS THEN   -- a malformed signature (to_regprocedure raises on syntax errors)
        v_fn := NULL;
    END;
    IF v_fn IS NULL THEN
        PERFORM core.raise('JOBS_UNKNOWN_FUNCTION', format('%s: no such function (or an ambiguous name)', p_function));
    END IF;
    SELECT CASE
             WHEN n.nspname IN ('pg_catalog', 'information_schema', 'public') OR n.nspname LIKE 'pg\_%'
               THEN format('%s is not in a Mercato schema', v_fn)
             WHEN p.prokind <> 'f' THEN format('%s is not a plain function (a procedure or an aggregate)', v_fn)
             WHEN p.pronargs > p.pronargdefaults THEN format('%s has arguments without default', v_fn)
             WHEN p.prorettype IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
               THEN format('%s returns %s', v_fn, p.prorettype::regtype)
             WHEN EXISTS (SELECT 1 FROM pg_proc q
                           WHERE q.pronamespace = p.pronamespace AND q.proname = p.proname AND q.oid <> p.oid
                             AND q.pronargs = q.pronargdefaults)
               THEN format('another overload of %I.%I can be called without arguments', n.nspname, p.proname)
           END
      INTO v_problem
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.oid = v_fn;
    IF v_problem IS NOT NULL THEN
        PERFORM core.raise('JOBS_UNKNOWN_FUNCTION', v_problem);
    END IF;
    RETURN v_fn;
END
$$;
COMMENT ON FUNCTION jobs.resolve_function(text) IS
'Internal: the function a job may call, from its schema-qualified name with argument types (ledger.expire_holds(integer))
or, if unique, without them (ledger.expire_holds). It must exist in a Mercato schema, be a plain function that every
argument of has a default, not return a trigger, and be the only overload callable without arguments (the job calls it
as schema.name()). Errors: JOBS_UNKNOWN_FUNCTION.';

CREATE FUNCTION jobs.call_statement(p_function regprocedure)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT CASE
             WHEN p.prorettype = 'void'::regtype THEN format('SELECT NULL::jsonb FROM %I.%I()', n.nspname, p.proname)
             WHEN p.proretset THEN format('SELECT jsonb_agg(to_jsonb(r)) FROM (SELECT * FROM %I.%I() LIMIT 100) r',
                                          n.nspname, p.proname)
             ELSE format('SELECT to_jsonb(%I.%I())', n.nspname, p.proname)
           END
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.oid = p_function;
END;
COMMENT ON FUNCTION jobs.call_statement(regprocedure) IS
'Internal: the statement jobs.run executes for a job''s function: a call without arguments (every argument takes its
default) whose answer becomes one jsonb value — NULL for void, to_jsonb of a scalar or a row, and for a set-returning
function the first 100 rows as an array.';

CREATE FUNCTION jobs.register(p_name text, p_schedule text, p_function text, p_description text,
                              p_enabled boolean DEFAULT NULL)
RETURNS jobs.job
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_fn       regprocedure;
    v_schedule text := btrim(p_schedule);
    v_job      jobs.job;
BEGIN
    IF p_name IS NULL OR p_name !~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$' OR length(p_name) > 48 THEN
        PERFORM core.raise('JOBS_INVALID_JOB', format('name %L', left(p_name, 100)),
                           'a job is named <module>.<duty> in lower snake case, e.g. ledger.expire_holds');
    ELSIF v_schedule IS NULL OR NOT jobs.cron_schedule_is_valid(v_schedule) THEN
        PERFORM core.raise('JOBS_INVALID_JOB', format('schedule %L', left(p_schedule, 100)),
                           'five cron fields: minute hour day-of-month month day-of-week, e.g. */5 * * * *');
    ELSIF p_description IS NULL OR length(btrim(p_description)) NOT BETWEEN 1 AND 1000 THEN
        PERFORM core.raise('JOBS_INVALID_JOB', 'the description must be 1 to 1000 characters');
    END IF;
    v_fn := jobs.resolve_function(p_function);
    INSERT INTO jobs.job AS j (name, schedule, function_name, description, enabled)
    VALUES (p_name, v_schedule, v_fn::text, btrim(p_description), coalesce(p_enabled, true))
    ON CONFLICT ON CONSTRAINT job_name_key DO UPDATE
       SET schedule = EXCLUDED.schedule, function_name = EXCLUDED.function_name, description = EXCLUDED.description,
           enabled = coalesce(p_enabled, j.enabled), updated_at = now()
     WHERE (j.schedule, j.function_name, j.description, j.enabled)
           IS DISTINCT FROM (EXCLUDED.schedule, EXCLUDED.function_name, EXCLUDED.description, coalesce(p_enabled, j.enabled))
    RETURNING * INTO v_job;
    IF NOT FOUND THEN   -- registered before, exactly so
        SELECT * INTO v_job FROM jobs.job WHERE name = p_name;
    END IF;
    RETURN v_job;
END
$$;
COMMENT ON FUNCTION jobs.register(text, text, text, text, boolean) IS
'Register a periodic job or update its registration (idempotent upsert by name; registering it again unchanged changes
nothing, not even updated_at): p_name <module>.<duty>, p_schedule five cron fields in UTC (e.g. */5 * * * *),
p_function the function to call without arguments (e.g. ''ledger.expire_holds(integer)''), p_description what it does,
p_enabled true/false, or NULL to keep the current state (enabled for a new job). Returns the job. Each module
registers its own jobs in a change of its own, planned after functions/jobs and the function. Errors:
JOBS_INVALID_JOB, JOBS_UNKNOWN_FUNCTION. Owner only. Assumes READ COMMITTED.';

CREATE FUNCTION jobs.set_enabled(p_name text, p_enabled boolean)
RETURNS jobs.job
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_job jobs.job;
BEGIN
    IF p_enabled IS NULL THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_enabled is NULL');
    END IF;
    UPDATE jobs.job SET enabled = p_enabled, updated_at = now()
     WHERE name = p_name AND enabled IS DISTINCT FROM p_enabled
    RETURNING * INTO v_job;
    IF NOT FOUND THEN
        SELECT * INTO v_job FROM jobs.job WHERE name = p_name;
        IF NOT FOUND THEN
            PERFORM core.raise('JOBS_UNKNOWN_JOB', format('job %s', left(p_name, 100)));
        END IF;
    END IF;
    RETURN v_job;
END
$$;
COMMENT ON FUNCTION jobs.set_enabled(text, boolean) IS
'Enable or disable a job (idempotent); returns it. A disabled job is skipped by jobs.run_all and mercato jobs run,
refused by jobs.run unless asked explicitly, and left out of pg_cron by the next mercato jobs schedule. Errors:
JOBS_UNKNOWN_JOB, CORE_INVALID_ARGUMENT. Owner only.';

CREATE FUNCTION jobs.run(p_name text, p_even_if_disabled boolean DEFAULT false)
RETURNS jobs.job_run
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_job     jobs.job;
    v_fn      regprocedure;
    v_started timestamptz;
    v_result  jsonb;
    v_state   text;
    v_message text;
    v_detail  text;
    v_run     jobs.job_run;
BEGIN
    SELECT * INTO v_job FROM jobs.job WHERE name = p_name;
    IF NOT FOUND THEN
        PERFORM core.raise('JOBS_UNKNOWN_JOB', format('job %s', left(p_name, 100)));
    ELSIF NOT v_job.enabled AND NOT coalesce(p_even_if_disabled, false) THEN
        PERFORM core.raise('JOBS_DISABLED', format('job %s', p_name));
    END IF;
    -- One run of a job at a time (pg_cron and mercato jobs run may overlap): a second run waits for the first.
    PERFORM pg_advisory_xact_lock(hashtext('jobs.run'), hashtext(v_job.name));
    v_started := clock_timestamp();
    -- A subtransaction: a failing job's work rolls back to here, the error is recorded below and not raised.
    BEGIN
        v_fn := to_regprocedure(v_job.function_name);
        IF v_fn IS NULL THEN
            PERFORM core.raise('JOBS_UNKNOWN_FUNCTION', format('job %s: %s no longer exists', v_job.name, v_job.function_name));
        END IF;
        EXECUTE jobs.call_statement(v_fn) INTO v_result;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    END;
    INSERT INTO jobs.job_run (job_id, started_at, finished_at, outcome, result, error_sqlstate, error_code,
                              error_message, error_detail)
    VALUES (v_job.id, v_started, clock_timestamp(), CASE WHEN v_state IS NULL THEN 'OK' ELSE 'FAILED' END,
            CASE WHEN v_state IS NULL THEN v_result END, v_state,
            (SELECT e.code FROM core.error e
              WHERE v_state LIKE 'PT%' AND e.code = substring(v_message FROM '^([A-Z][A-Z0-9_]*): ')),
            v_message, CASE WHEN v_state IS NOT NULL THEN nullif(v_detail, '') END)
    RETURNING * INTO v_run;
    RETURN v_run;
END
$$;
COMMENT ON FUNCTION jobs.run(text, boolean) IS
'Run one job now and record it in jobs.job_run; returns the run. The job''s function is called without arguments in a
subtransaction: when it raises, its work is rolled back and the run is recorded as FAILED with the SQLSTATE, the
Mercato code (when core.raise raised it), message and detail — the error is not raised to the caller, whose
transaction goes on. Runs of one job are serialised (advisory lock until the end of the caller''s transaction). A
statement timeout or a cancel is not caught: it aborts the caller''s transaction as usual. Errors (nothing run or
recorded): JOBS_UNKNOWN_JOB, JOBS_DISABLED (p_even_if_disabled runs it anyway). Owner only; assumes READ COMMITTED.';

CREATE PROCEDURE jobs.run_all()
LANGUAGE plpgsql
-- No SET search_path here: PostgreSQL forbids COMMIT in a procedure with a SET clause. Every Mercato name below is
-- schema-qualified, and the work is done by jobs.run, which pins its own.
AS $$
DECLARE
    v_names text[];
    i       integer;
BEGIN
    SELECT array_agg(j.name ORDER BY j.name) INTO v_names FROM jobs.job j WHERE j.enabled;
    COMMIT;
    FOR i IN 1 .. coalesce(cardinality(v_names), 0) LOOP
        BEGIN
            PERFORM jobs.run(v_names[i]);
        EXCEPTION WHEN SQLSTATE 'PT404' OR SQLSTATE 'PT409' THEN
            NULL;   -- unregistered or disabled since the list was read: skipped
        END;
        COMMIT;
    END LOOP;
END
$$;
COMMENT ON PROCEDURE jobs.run_all() IS
'Run every enabled job once, in name order, each in its own transaction (committed before the next), so one job''s
failure — recorded by jobs.run — neither stops nor rolls back the others; a job unregistered or disabled after the
list was read is skipped. CALL it outside a transaction block.
Not SECURITY DEFINER and without SET search_path (it COMMITs; every name is schema-qualified). mercato jobs run does
the same from Python, printing each run. Owner only.';

COMMIT;
