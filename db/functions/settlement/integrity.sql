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
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN jobs.assert_check('settlement.check()', 'SETTLEMENT_INTEGRITY_VIOLATION');
COMMENT ON FUNCTION settlement.assert_integrity() IS
'Run settlement.check() through jobs.assert_check and raise SETTLEMENT_INTEGRITY_VIOLATION when any check fails,
the detail naming each failed check with its number of violations and up to 3 sample rows (8,000 characters at most);
returns {"checks": n, "failed": 0} when all pass. The function of the job settlement.integrity (a FAILED run records
the detail). A full scan: a job or mercato db check, never per request.
Errors: SETTLEMENT_INTEGRITY_VIOLATION. Owner only. Assumes READ COMMITTED.';

SELECT jobs.register('settlement.integrity', '27 4 * * *', 'settlement.assert_integrity()',
    'Settlement integrity: settlement.check() over every cycle, cycle line and its ledger capture; '
    'a violation fails the run with SETTLEMENT_INTEGRITY_VIOLATION naming the failed checks '
    '(settlement.assert_integrity).');

COMMIT;
