-- Revert mercato:functions/contracts/assignments from pg

BEGIN;

DROP FUNCTION contracts.cancel_assignment(bigint, text);
DROP FUNCTION contracts.assign_vehicle(bigint, bigint);

COMMIT;
