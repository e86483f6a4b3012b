-- Revert mercato:functions/settlement/integrity from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'settlement.integrity';   -- its run history goes with it
DROP FUNCTION settlement.assert_integrity();
DELETE FROM core.error WHERE code = 'SETTLEMENT_INTEGRITY_VIOLATION';

COMMIT;
