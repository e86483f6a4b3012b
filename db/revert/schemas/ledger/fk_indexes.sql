-- Revert mercato:schemas/ledger/fk_indexes from pg

BEGIN;

DROP INDEX ledger.hold_transaction_id_idx;

COMMIT;
