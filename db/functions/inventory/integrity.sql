-- Deploy mercato:functions/inventory/integrity to pg
-- The inventory's integrity check as a job: inventory.assert_integrity() runs inventory.check() through
-- jobs.assert_check and raises INVENTORY_INTEGRITY_VIOLATION naming every failed check, so that the job
-- inventory.integrity is recorded FAILED with the violations in jobs.job_run. Daily at an off-peak hour (a full scan).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.assert_integrity()
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN jobs.assert_check('inventory.check()', 'INVENTORY_INTEGRITY_VIOLATION');
COMMENT ON FUNCTION inventory.assert_integrity() IS
'Run inventory.check() through jobs.assert_check and raise INVENTORY_INTEGRITY_VIOLATION when any check fails, the
detail naming each failed check with its number of violations and up to 3 sample rows; returns {"checks": n,
"failed": 0} when all pass. The function of the job inventory.integrity. A full scan: a job or mercato inventory check,
never per request. Errors: INVENTORY_INTEGRITY_VIOLATION. Owner only. Assumes READ COMMITTED.';

SELECT jobs.register('inventory.integrity', '23 4 * * *', 'inventory.assert_integrity()',
    'Inventory integrity: inventory.check() over every stock row, movement and reservation; a violation fails the run '
    'with INVENTORY_INTEGRITY_VIOLATION naming the failed checks (inventory.assert_integrity).');

COMMIT;
