-- Revert mercato:functions/ledger/transfers from pg

BEGIN;

DROP FUNCTION ledger.post(text, jsonb, text, jsonb);
DROP FUNCTION ledger.transfer(text, bigint, bigint, numeric, text, jsonb);

COMMIT;
