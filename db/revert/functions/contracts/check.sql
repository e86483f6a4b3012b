-- Revert mercato:functions/contracts/check from pg

BEGIN;

DROP FUNCTION contracts.check();

COMMIT;
