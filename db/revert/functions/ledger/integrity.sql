-- Revert mercato:functions/ledger/integrity from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'ledger.integrity';   -- its run history goes with it
DROP FUNCTION ledger.assert_integrity();
DELETE FROM core.error WHERE code = 'LEDGER_INTEGRITY_VIOLATION';

COMMIT;
