-- Revert mercato:functions/contracts/ending from pg

BEGIN;

DROP FUNCTION contracts.complete_contract(bigint);
DROP FUNCTION contracts.terminate_contract(bigint, text);

COMMIT;
