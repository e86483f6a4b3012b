-- Revert mercato:functions/contracts/reads from pg

BEGIN;

DROP FUNCTION contracts.list_contracts(text, integer);
DROP FUNCTION contracts.get_contract(bigint);

COMMIT;
