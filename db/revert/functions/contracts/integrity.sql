-- Revert mercato:functions/contracts/integrity from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'contracts.integrity';   -- its run history goes with it
DROP FUNCTION contracts.assert_integrity();
DELETE FROM core.error WHERE code = 'CONTRACTS_INTEGRITY_VIOLATION';

COMMIT;
