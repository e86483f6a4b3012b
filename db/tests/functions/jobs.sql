-- Tests for functions/jobs: jobs.register (idempotent, validated), jobs.run (a failure is recorded, not raised, and
-- its work rolled back), disabled and unknown jobs, results, who may call. jobs.run_all COMMITs: py/tests/test_jobs.py.
BEGIN;
SELECT plan(39);

-- Job functions for the test (schema tests: test databases only).
CREATE TABLE tests.job_effect (note text);
CREATE FUNCTION tests.job_ok() RETURNS integer LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN INSERT INTO tests.job_effect VALUES ('ok'); RETURN 42; END $$;
CREATE FUNCTION tests.job_fails() RETURNS integer LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO tests.job_effect VALUES ('fails');
    PERFORM core.raise('CORE_INVALID_ARGUMENT', 'boom in a job');
    RETURN 0;
END $$;
CREATE FUNCTION tests.job_divides(p_by integer DEFAULT 0) RETURNS integer LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp RETURN 1 / p_by;
CREATE FUNCTION tests.job_void() RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC INSERT INTO tests.job_effect VALUES ('void'); END;
CREATE FUNCTION tests.job_rows() RETURNS TABLE (n integer, half numeric) LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS 'SELECT 1, 0.5';
CREATE FUNCTION tests.job_set() RETURNS SETOF integer LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS 'SELECT generate_series(1, 150)';
CREATE FUNCTION tests.job_needs(p_x integer) RETURNS integer LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
RETURN p_x;
CREATE FUNCTION tests.job_twice(p_x integer DEFAULT 1) RETURNS integer LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp RETURN p_x;
CREATE FUNCTION tests.job_twice(p_x text DEFAULT 'a') RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp RETURN p_x;
CREATE PROCEDURE tests.job_proc() LANGUAGE sql AS 'SELECT 1';
CREATE TEMP TABLE r AS SELECT * FROM jobs.job_run WHERE false;

-- register
SELECT is((SELECT function_name || ' ' || schedule || ' ' || enabled FROM jobs.register('test.ok', '* * * * *', 'tests.job_ok', 'counts')),
          'tests.job_ok() * * * * * true', 'a job is registered, its function resolved to its signature, enabled');
SELECT is((SELECT schedule FROM jobs.register('test.spaced', '  */10   * * * *  ', 'tests.job_void()', 'spaces')), '*/10   * * * *',
          'the schedule is trimmed');
UPDATE jobs.job SET updated_at = now() - interval '1 day' WHERE name = 'test.ok';
SELECT is((SELECT updated_at FROM jobs.register('test.ok', '* * * * *', 'tests.job_ok()', 'counts')), now() - interval '1 day',
          'registering it again unchanged changes nothing');
SELECT is((SELECT count(*)::int FROM audit.event WHERE entity_type = 'jobs.job' AND new_values ->> 'name' = 'test.ok'), 2,
          'audited: the registration and the test''s own update, not the unchanged one');
SELECT is((SELECT schedule FROM jobs.register('test.ok', '0 * * * *', 'tests.job_ok()', 'counts')), '0 * * * *',
          'a changed schedule is updated (upsert by name)');
SELECT is((jobs.set_enabled('test.ok', false)).enabled, false, 'set_enabled disables');
SELECT is((SELECT enabled FROM jobs.register('test.ok', '0 * * * *', 'tests.job_ok()', 'counts')), false,
          'registering again without p_enabled keeps it disabled');
SELECT is((SELECT enabled FROM jobs.register('test.ok', '0 * * * *', 'tests.job_ok()', 'counts', true)), true,
          'p_enabled sets it');
SELECT throws_like($$SELECT jobs.register('NoDot', '* * * * *', 'tests.job_ok()', 'x')$$, 'JOBS_INVALID_JOB:%',
                   'a name is <module>.<duty>');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * *', 'tests.job_ok()', 'x')$$, 'JOBS_INVALID_JOB:%',
                   'a schedule has five fields');
SELECT throws_like($$SELECT jobs.register('test.bad', '61 * * * *', 'tests.job_ok()', 'x')$$, 'JOBS_INVALID_JOB:%',
                   'within their ranges');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'tests.job_ok()', '')$$, 'JOBS_INVALID_JOB:%',
                   'a description is required');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'tests.no_such_job()', 'x')$$, 'JOBS_UNKNOWN_FUNCTION:%',
                   'the function must exist');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'job_ok()', 'x')$$, 'JOBS_UNKNOWN_FUNCTION:%',
                   'named with its schema');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'tests.job_ok(', 'x')$$, 'JOBS_UNKNOWN_FUNCTION:%',
                   'a malformed signature is refused with the code too');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'tests.job_needs(integer)', 'x')$$,
                   'JOBS_UNKNOWN_FUNCTION:%', 'it must be callable without arguments');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'tests.job_twice(integer)', 'x')$$,
                   'JOBS_UNKNOWN_FUNCTION:%', 'and unambiguously so');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'tests.job_proc()', 'x')$$, 'JOBS_UNKNOWN_FUNCTION:%',
                   'a procedure is not a job function');
SELECT throws_like($$SELECT jobs.register('test.bad', '* * * * *', 'pg_catalog.now()', 'x')$$, 'JOBS_UNKNOWN_FUNCTION:%',
                   'nor is a function outside Mercato''s schemas');
SELECT is((SELECT count(*)::int FROM jobs.job WHERE name = 'test.bad'), 0, 'no refused registration is stored');

-- run: OK with the answer recorded
INSERT INTO r SELECT * FROM jobs.run('test.ok');
SELECT results_eq($$SELECT outcome, result, error_sqlstate, run_by = session_user FROM r$$,
                  $$VALUES ('OK', '42'::jsonb, NULL::text, true)$$, 'a run is recorded with the function''s answer');
SELECT ok((SELECT duration >= interval '0' AND finished_at >= started_at FROM r), 'and how long it took');
SELECT is((SELECT count(*)::int FROM tests.job_effect WHERE note = 'ok'), 1, 'its work is kept');

-- run: a failure is caught, recorded with its error, its work rolled back, the caller's transaction goes on
SELECT jobs.register('test.fails', '* * * * *', 'tests.job_fails()', 'fails with a code');
SELECT lives_ok($$INSERT INTO r SELECT * FROM jobs.run('test.fails')$$, 'a failing job does not raise to the caller');
SELECT results_eq($$SELECT outcome, result, error_sqlstate, error_code, error_message, error_detail FROM r
                     WHERE job_id = (SELECT id FROM jobs.job WHERE name = 'test.fails')$$,
                  $$VALUES ('FAILED', NULL::jsonb, 'PT400', 'CORE_INVALID_ARGUMENT',
                            'CORE_INVALID_ARGUMENT: an argument is missing or malformed', 'boom in a job')$$,
                  'it is recorded FAILED with SQLSTATE, code, message and detail');
SELECT is((SELECT count(*)::int FROM tests.job_effect WHERE note = 'fails'), 0, 'its own work is rolled back');
SELECT is((SELECT count(*)::int FROM jobs.job_run WHERE job_id = (SELECT id FROM jobs.job WHERE name = 'test.fails')), 1,
          'and the record kept in the caller''s transaction');
SELECT jobs.register('test.divides', '* * * * *', 'tests.job_divides', 'divides by zero');
SELECT results_eq($$SELECT outcome, error_sqlstate, error_code FROM jobs.run('test.divides')$$,
                  $$VALUES ('FAILED', '22012', NULL::text)$$, 'a raw PostgreSQL error is recorded with its SQLSTATE, no code');

-- results of other shapes
SELECT jobs.register('test.void', '* * * * *', 'tests.job_void()', 'returns nothing');
SELECT jobs.register('test.rows', '* * * * *', 'tests.job_rows()', 'returns a table');
SELECT jobs.register('test.set', '* * * * *', 'tests.job_set()', 'returns many rows');
SELECT results_eq($$SELECT j.name, r.outcome, r.result FROM jobs.job j, jobs.run(j.name) r
                     WHERE j.name IN ('test.void', 'test.rows') ORDER BY j.name$$,
                  $$VALUES ('test.rows', 'OK', '[{"n": 1, "half": 0.5}]'::jsonb), ('test.void', 'OK', NULL)$$,
                  'void answers NULL, a table its rows');
SELECT is((SELECT jsonb_array_length(result) FROM jobs.run('test.set')), 100, 'a set is kept to its first 100 rows');

-- refused runs leave nothing behind
SELECT throws_like($$SELECT jobs.run('test.nope')$$, 'JOBS_UNKNOWN_JOB:%', 'an unknown job is a clear error');
SELECT jobs.set_enabled('test.ok', false);
SELECT throws_like($$SELECT jobs.run('test.ok')$$, 'JOBS_DISABLED:%', 'a disabled job is not run');
SELECT is((SELECT count(*)::int FROM jobs.job_run WHERE job_id = (SELECT id FROM jobs.job WHERE name = 'test.ok')), 1,
          'and neither refusal recorded a run');
SELECT is((SELECT outcome FROM jobs.run('test.ok', p_even_if_disabled => true)), 'OK', 'unless it is asked for explicitly');
SELECT throws_like($$SELECT jobs.set_enabled('test.nope', true)$$, 'JOBS_UNKNOWN_JOB:%', 'set_enabled knows its jobs too');

-- a function dropped after its registration: the run fails, recorded with the code
DROP FUNCTION tests.job_divides(integer);
SELECT results_eq($$SELECT outcome, error_code FROM jobs.run('test.divides')$$, $$VALUES ('FAILED', 'JOBS_UNKNOWN_FUNCTION')$$,
                  'a job whose function is gone fails with JOBS_UNKNOWN_FUNCTION');

-- owner only
SELECT tests.as_service();
SELECT throws_ok($$SELECT jobs.run('test.ok', true)$$, '42501', NULL, 'the back office role does not run jobs directly');
SELECT throws_ok($$SELECT jobs.register('test.x', '* * * * *', 'tests.job_ok()', 'x')$$, '42501', NULL, 'nor registers them');
RESET ROLE;
SELECT is((SELECT prokind FROM pg_proc WHERE oid = 'jobs.run_all()'::regprocedure), 'p'::"char",
          'jobs.run_all is a procedure (it commits after each job)');

SELECT * FROM finish();
ROLLBACK;
