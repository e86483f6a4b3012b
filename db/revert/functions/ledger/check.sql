-- Revert mercato:functions/ledger/check from pg

BEGIN;

DROP FUNCTION ledger.check();

COMMIT;
