-- Tests for functions/jobs/checks: jobs.assert_check turns any check() into a job function that passes quietly or
-- raises the given code naming each failed check, its count and sample rows.
BEGIN;
SELECT plan(5);

CREATE TEMP TABLE t_check_row (check_name text, ok boolean, violations bigint, sample jsonb);
CREATE FUNCTION pg_temp.t_check() RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE sql STABLE AS $$ SELECT * FROM t_check_row $$;
INSERT INTO t_check_row VALUES ('first_rule', true, 0, '[]'), ('second_rule', true, 0, '[]');

SELECT is(jobs.assert_check('pg_temp.t_check()', 'LEDGER_INTEGRITY_VIOLATION'), '{"checks": 2, "failed": 0}'::jsonb,
          'all checks passing: the count, nothing raised');

UPDATE t_check_row SET ok = false, violations = 7, sample = '[{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]'
 WHERE check_name = 'second_rule';
SELECT throws_like($$SELECT jobs.assert_check('pg_temp.t_check()', 'LEDGER_INTEGRITY_VIOLATION')$$,
                   'LEDGER_INTEGRITY_VIOLATION:%', 'a failed check raises the code it is given');

CREATE FUNCTION pg_temp.t_detail() RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    PERFORM jobs.assert_check('pg_temp.t_check()', 'LEDGER_INTEGRITY_VIOLATION');
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v = PG_EXCEPTION_DETAIL;
    RETURN v;
END $$;
SELECT is(pg_temp.t_detail(),
          '1 of 2 checks failed: second_rule: 7 violation(s), e.g. [{"id": 1}, {"id": 2}, {"id": 3}]',
          'the detail names the failed check, its violations and three sample rows');

SELECT throws_ok($$SELECT jobs.assert_check(NULL, 'LEDGER_INTEGRITY_VIOLATION')$$, 'PT400', NULL,
                 'a missing check is refused');
SELECT ok(NOT bool_or(has_function_privilege(role, 'jobs.assert_check(regprocedure, text)', 'EXECUTE')),
          'no API role executes jobs.assert_check')
  FROM unnest(ARRAY['public', 'mercato_anon', 'mercato_user', 'mercato_service']) AS role;

SELECT * FROM finish();
ROLLBACK;
