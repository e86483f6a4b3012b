-- Deploy mercato:functions/contracts/integrity to pg
-- The contracts' integrity check as a job (issue 16): contracts.assert_integrity() runs contracts.check() and
-- raises CONTRACTS_INTEGRITY_VIOLATION naming every failed check, so that the job contracts.integrity is
-- recorded FAILED with the violations in jobs.job_run.
-- Registered enabled, daily at an off-peak hour: a full scan of the contract lines with their holds, too heavy to
-- run hourly on many contracts; and a violation nobody is told about is the failure this job exists to prevent.
-- Verify never runs it (CONVENTIONS.md, Layout).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('CONTRACTS_INTEGRITY_VIOLATION', 'contracts', 'PT500', 'the contracts'' integrity check found violations',
 'see the detail, or run mercato db check; investigate the escrow before settling more',
 'Raised by the job contracts.integrity (contracts.assert_integrity) when contracts.check() reports a violated '
 'invariant; the detail names each failed check, its number of violations and a few offending rows.');

CREATE OR REPLACE FUNCTION contracts.assert_integrity()
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN jobs.assert_check('contracts.check()', 'CONTRACTS_INTEGRITY_VIOLATION');
COMMENT ON FUNCTION contracts.assert_integrity() IS
'Run contracts.check() through jobs.assert_check and raise CONTRACTS_INTEGRITY_VIOLATION when any check fails,
the detail naming each failed check with its number of violations and up to 3 sample rows (8,000 characters at most);
returns {"checks": n, "failed": 0} when all pass. The function of the job contracts.integrity (a FAILED run records
the detail). A full scan: a job or mercato db check, never per request.
Errors: CONTRACTS_INTEGRITY_VIOLATION. Owner only. Assumes READ COMMITTED.';

SELECT jobs.register('contracts.integrity', '17 4 * * *', 'contracts.assert_integrity()',
    'Contracts integrity: contracts.check() over every contract line, its escrow hold and assignments; '
    'a violation fails the run with CONTRACTS_INTEGRITY_VIOLATION naming the failed checks '
    '(contracts.assert_integrity).');

COMMIT;
