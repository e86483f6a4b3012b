-- Revert mercato:functions/ledger/reversals from pg

BEGIN;

DROP FUNCTION ledger.reverse(text, bigint, text);

COMMIT;
