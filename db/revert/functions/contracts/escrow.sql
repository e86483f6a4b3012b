-- Revert mercato:functions/contracts/escrow from pg

BEGIN;

DROP FUNCTION contracts.release_unearned(bigint);
DROP FUNCTION contracts.activate_contract(bigint);
DROP FUNCTION contracts.hold_reference(bigint, numeric, numeric);
DROP FUNCTION contracts.line_bounds(bigint);

COMMIT;
