-- Revert mercato:functions/ledger/batches from pg

BEGIN;

DROP FUNCTION ledger.post_batch(jsonb);

COMMIT;
