-- Revert mercato:functions/settlement/check from pg

BEGIN;

DROP FUNCTION settlement.check();

COMMIT;
