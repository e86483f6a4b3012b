-- Deploy mercato:functions/ledger/integrity to pg
-- The ledger's integrity check as a job (issue 16): ledger.assert_integrity() runs ledger.check() and
-- raises LEDGER_INTEGRITY_VIOLATION naming every failed check, so that the job ledger.integrity is
-- recorded FAILED with the violations in jobs.job_run.
-- Registered enabled, daily at an off-peak hour: a full scan (the entries are read twice), too heavy to run
-- hourly on a large ledger; and a violation nobody is told about is the failure this job exists to prevent.
-- Verify never runs it (CONVENTIONS.md, Layout).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('LEDGER_INTEGRITY_VIOLATION', 'ledger', 'PT500', 'the ledger''s integrity check found violations',
 'see the detail, or run mercato db check; investigate before posting more',
 'Raised by the job ledger.integrity (ledger.assert_integrity) when ledger.check() reports a violated '
 'invariant; the detail names each failed check, its number of violations and a few offending rows.');

CREATE OR REPLACE FUNCTION ledger.assert_integrity()
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN jobs.assert_check('ledger.check()', 'LEDGER_INTEGRITY_VIOLATION');
COMMENT ON FUNCTION ledger.assert_integrity() IS
'Run ledger.check() through jobs.assert_check and raise LEDGER_INTEGRITY_VIOLATION when any check fails,
the detail naming each failed check with its number of violations and up to 3 sample rows (8,000 characters at most);
returns {"checks": n, "failed": 0} when all pass. The function of the job ledger.integrity (a FAILED run records
the detail). A full scan: a job or mercato db check, never per request.
Errors: LEDGER_INTEGRITY_VIOLATION. Owner only. Assumes READ COMMITTED.';

SELECT jobs.register('ledger.integrity', '7 4 * * *', 'ledger.assert_integrity()',
    'Ledger integrity: ledger.check() over every entry, account and hold; '
    'a violation fails the run with LEDGER_INTEGRITY_VIOLATION naming the failed checks '
    '(ledger.assert_integrity).');

COMMIT;
