-- Revert mercato:functions/ledger/history from pg

BEGIN;

DROP FUNCTION ledger.statement(bigint, timestamptz, timestamptz, bigint, integer);
DROP FUNCTION ledger.balance_at(bigint, timestamptz);
DROP FUNCTION ledger.seq_at(bigint, smallint, timestamptz, boolean);

COMMIT;
