-- Deploy mercato:functions/settlement/integrity to pg
-- Settlement's integrity check as a job (issue 16): settlement.assert_integrity() runs settlement.check() and
-- raises SETTLEMENT_INTEGRITY_VIOLATION naming every failed check, so that the job settlement.integrity is
-- recorded FAILED with the violations in jobs.job_run.
-- Registered enabled, daily at an off-peak hour: a full scan of the cycles and their ledger captures, too heavy
-- to run hourly on many cycles; and a violation nobody is told about is the failure this job exists to prevent.
-- Verify never runs it (CONVENTIONS.md, Layout).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('SETTLEMENT_INTEGRITY_VIOLATION', 'settlement', 'PT500', 'settlement''s integrity check found violations',
 'see the detail, or run mercato db check; investigate before running more settlements',
 'Raised by the job settlement.integrity (settlement.assert_integrity) when settlement.check() reports a violated '
 'invariant; the detail names each failed check, its number of violations and a few offending rows.');

CREATE OR REPLACE FUNCTION settlement.assert_integrity()
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_checks integer;
    v_failed text[];
BEGIN
    SELECT count(*)::integer,
           array_agg(format('%s: %s violation(s), e.g. %s', c.check_name, c.violations,
                            (SELECT jsonb_agg(s.row)
                               FROM (SELECT r AS row FROM jsonb_array_elements(c.sample) r LIMIT 3) s))
                     ORDER BY c.n) FILTER (WHERE NOT c.ok)
      INTO v_checks, v_failed
      FROM settlement.check() WITH ORDINALITY AS c(check_name, ok, violations, sample, n);
    IF v_failed IS NOT NULL THEN
        PERFORM core.raise('SETTLEMENT_INTEGRITY_VIOLATION',
                           left(format('%s of %s checks failed: %s', cardinality(v_failed), v_checks,
                                       array_to_string(v_failed, '; ')), 8000));
    END IF;
    RETURN jsonb_build_object('checks', v_checks, 'failed', 0);
END
$$;
COMMENT ON FUNCTION settlement.assert_integrity() IS
'Run settlement.check() and raise SETTLEMENT_INTEGRITY_VIOLATION when any check fails,
the detail naming each failed check with its number of violations and up to 3 sample rows (8,000 characters at most);
returns {"checks": n, "failed": 0} when all pass. The function of the job settlement.integrity (a FAILED run records
the detail). A full scan: a job or mercato db check, never per request.
Errors: SETTLEMENT_INTEGRITY_VIOLATION. Owner only. Assumes READ COMMITTED.';

SELECT jobs.register('settlement.integrity', '27 4 * * *', 'settlement.assert_integrity()',
    'Settlement integrity: settlement.check() over every cycle, cycle line and its ledger capture; '
    'a violation fails the run with SETTLEMENT_INTEGRITY_VIOLATION naming the failed checks '
    '(settlement.assert_integrity).');

COMMIT;
