-- Tests for functions/audit/jobs: partitions ahead is a registered job, and running it creates them.
BEGIN;
SELECT plan(4);

SELECT results_eq($$SELECT function_name, schedule, enabled FROM jobs.job WHERE name = 'audit.partitions_ahead'$$,
                  $$VALUES ('audit.ensure_partitions(timestamp with time zone,integer)', '17 3 * * *', true)$$,
                  'audit.ensure_partitions is registered daily, enabled');
-- the partition three months ahead goes (empty: nothing is audited that far ahead), so the job has work to do
SELECT jobs.run('audit.partitions_ahead');   -- first make sure it is there, whenever the database was deployed
CREATE TEMP TABLE p AS
SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', '"event_y"YYYY"m"MM') AS name;
DO $$ BEGIN EXECUTE format('DROP TABLE audit.%I', (SELECT name FROM p)); END $$;
SELECT results_eq($$SELECT outcome, result FROM jobs.run('audit.partitions_ahead')$$, $$VALUES ('OK', '1'::jsonb)$$,
                  'the job creates the missing partition and records how many it created');
SELECT ok(to_regclass('audit.' || (SELECT name FROM p)) IS NOT NULL, 'it is there again');
SELECT results_eq($$SELECT outcome, result FROM jobs.run('audit.partitions_ahead')$$, $$VALUES ('OK', '0'::jsonb)$$,
                  'the next run has nothing to do');

SELECT * FROM finish();
ROLLBACK;
