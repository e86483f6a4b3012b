-- Tests for schemas/jobs: structure, the name / schedule / outcome constraints, the immutable history, the audit of
-- registrations and that no API role holds anything.
BEGIN;
SELECT plan(26);

SELECT has_schema('jobs');
SELECT tables_are('jobs', ARRAY['job', 'job_run']);
SELECT col_is_pk('jobs', 'job', 'id', 'jobs have a bigint identity key');
SELECT col_is_unique('jobs', 'job', 'name', 'a job name is registered once');
SELECT fk_ok('jobs', 'job_run', 'job_id', 'jobs', 'job', 'id');

-- the schedule: five cron fields, each value within its field's range
SELECT ok(bool_and(jobs.cron_schedule_is_valid(s)), 'valid schedules: ' || string_agg(s, ' | '))
  FROM unnest(ARRAY['* * * * *', '*/5 * * * *', '17 3 * * *', '0-59/15 0,12 1-31 1-12 0-7', '0  1 * * 1-5',
                    '5,35 */2 1,15 * *']) s;
SELECT ok(NOT bool_or(coalesce(jobs.cron_schedule_is_valid(s), true)), 'refused schedules: ' || string_agg(s, ' | '))
  FROM unnest(ARRAY['* * * *', '* * * * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * 32 * *', '* * * 13 *',
                    '* * * * 8', '5-3 * * * *', '*/0 * * * *', ' * * * * *', '* * * * * ', '@hourly', '* * * jan *',
                    '1 seconds', '*/100 * * * *', E'*\t* * * *', '', '-1 * * * *', '1- * * * *']) s;

-- constraints as the owner, below jobs.register
SELECT lives_ok($$INSERT INTO jobs.job (name, schedule, function_name, description)
                  VALUES ('test.direct', '* * * * *', 'ledger.expire_holds(integer)', 'a direct insert')$$,
                'a well-formed job row');
SELECT throws_ok($$INSERT INTO jobs.job (name, schedule, function_name, description)
                   VALUES ('Test.Bad', '* * * * *', 'ledger.expire_holds(integer)', 'x')$$, '23514', NULL,
                 'a job name is <module>.<duty> in lower case');
SELECT throws_ok($$INSERT INTO jobs.job (name, schedule, function_name, description)
                   VALUES ('test.schedule', '* * * *', 'ledger.expire_holds(integer)', 'x')$$, '23514', NULL,
                 'the schedule constraint holds below jobs.register');
SELECT throws_ok($$INSERT INTO jobs.job (name, schedule, function_name, description)
                   VALUES ('test.function', '* * * * *', 'expire_holds', 'x')$$, '23514', NULL,
                 'the function is stored schema-qualified with its argument types');
SELECT throws_ok($$INSERT INTO jobs.job (name, schedule, function_name, description)
                   VALUES ('test.description', '* * * * *', 'ledger.expire_holds(integer)', '  ')$$, '23514', NULL,
                 'a job says what it does');
SELECT throws_ok($$INSERT INTO jobs.job (name, schedule, function_name, description)
                   VALUES ('test.direct', '* * * * *', 'ledger.expire_holds(integer)', 'again')$$, '23505', NULL,
                 'a name twice is refused');

-- the run history: outcome and error agree; never updated; goes with its job
SELECT lives_ok($$INSERT INTO jobs.job_run (job_id, started_at, finished_at, outcome, result)
                  SELECT id, now(), now() + interval '2 seconds', 'OK', '3' FROM jobs.job WHERE name = 'test.direct'$$,
                'an OK run with its result');
SELECT is((SELECT duration FROM jobs.job_run r JOIN jobs.job j ON j.id = r.job_id WHERE j.name = 'test.direct'),
          interval '2 seconds', 'its duration is computed');
SELECT throws_ok($$INSERT INTO jobs.job_run (job_id, started_at, finished_at, outcome)
                   SELECT id, now(), now(), 'FAILED' FROM jobs.job WHERE name = 'test.direct'$$, '23514', NULL,
                 'a FAILED run carries its error');
SELECT throws_ok($$INSERT INTO jobs.job_run (job_id, started_at, finished_at, outcome, error_sqlstate, error_message)
                   SELECT id, now(), now(), 'OK', 'PT400', 'x' FROM jobs.job WHERE name = 'test.direct'$$, '23514', NULL,
                 'an OK run carries none');
SELECT throws_ok($$INSERT INTO jobs.job_run (job_id, started_at, finished_at, outcome)
                   SELECT id, now(), now() - interval '1 second', 'OK' FROM jobs.job WHERE name = 'test.direct'$$, '23514',
                 NULL, 'a run does not finish before it starts');
SELECT throws_like($$UPDATE jobs.job_run SET outcome = 'FAILED', error_sqlstate = 'XX000', error_message = 'rewritten'$$,
                   'JOBS_RUN_IMMUTABLE:%', 'a recorded run never changes, even for the owner');
SELECT lives_ok($$DELETE FROM jobs.job WHERE name = 'test.direct'$$, 'a job can be removed (the revert of its registration)');
SELECT is((SELECT count(*)::int FROM jobs.job_run r WHERE NOT EXISTS (SELECT 1 FROM jobs.job j WHERE j.id = r.job_id)), 0,
          'and its runs go with it');
SELECT is((SELECT array_agg(action ORDER BY id) FROM audit.event
            WHERE entity_type = 'jobs.job' AND coalesce(new_values, old_values) ->> 'name' = 'test.direct'),
          ARRAY['INSERT', 'DELETE'], 'registrations are audited row by row');

-- owner only
SELECT ok(NOT has_schema_privilege(r, 'jobs', 'USAGE'), r || ' has no USAGE on schema jobs')
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;
SELECT tests.as_service();
SELECT throws_ok($$SELECT 1 FROM jobs.job$$, '42501', NULL, 'the back office role does not read the registry directly');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
