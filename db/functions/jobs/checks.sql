-- Deploy mercato:functions/jobs/checks to pg
-- One way for a module's integrity check to become a job: jobs.assert_check runs a check() (the shape ledger.check(),
-- contracts.check() and settlement.check() share) and raises the module's error naming every failed check, so the
-- job's run is recorded FAILED with the violations. Each module's <module>.assert_integrity() is one call to it.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION jobs.assert_check(p_check regprocedure, p_error_code text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_checks integer;
    v_failed text[];
BEGIN
    IF p_check IS NULL OR p_error_code IS NULL THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_check and p_error_code are required');
    END IF;
    -- p_check is a regprocedure: its text is a schema-qualified, quoted function name with its argument types
    EXECUTE format(
        'SELECT count(*)::integer,
                array_agg(format(''%%s: %%s violation(s), e.g. %%s'', c.check_name, c.violations,
                                 (SELECT jsonb_agg(s.row)
                                    FROM (SELECT r AS row FROM jsonb_array_elements(c.sample) r LIMIT 3) s))
                          ORDER BY c.n) FILTER (WHERE NOT c.ok)
           FROM %s WITH ORDINALITY AS c(check_name, ok, violations, sample, n)',
        regexp_replace(p_check::text, '\(.*\)$', '()'))
      INTO v_checks, v_failed;
    IF v_failed IS NOT NULL THEN
        PERFORM core.raise(p_error_code,
                           left(format('%s of %s checks failed: %s', cardinality(v_failed), v_checks,
                                       array_to_string(v_failed, '; ')), 8000));
    END IF;
    RETURN jsonb_build_object('checks', v_checks, 'failed', 0);
END
$$;
COMMENT ON FUNCTION jobs.assert_check(regprocedure, text) IS
'Run an integrity check function without arguments returning (check_name, ok, violations, sample jsonb), and raise
p_error_code (a catalogued code, core.raise) when any check fails: the detail names each failed check with its number of
violations and up to 3 sample rows (8,000 characters at most). Returns {"checks": n, "failed": 0} when all pass. The body
of every <module>.assert_integrity(), the function of the job <module>.integrity. Errors: CORE_INVALID_ARGUMENT,
p_error_code. Owner only.';

COMMIT;
