-- Deploy mercato:schemas/ledger/fk_indexes to pg
-- requires: schemas/ledger
-- Plain CREATE INDEX: the table is small when this change is deployed in CI and on new databases. On a large live
-- table a DBA would build the same index with CREATE INDEX CONCURRENTLY outside a transaction, ahead of this deploy,
-- so that the deploy finds it (build it first, then deploy; IF NOT EXISTS keeps this script a no-op then).
-- Why these foreign keys and not others: docs/operations.md, "Foreign keys and their indexes".

BEGIN;

CREATE INDEX IF NOT EXISTS hold_transaction_id_idx ON ledger.hold (transaction_id);
COMMENT ON INDEX ledger.hold_transaction_id_idx IS
'The hold a capture transaction resolved: settlement.check() joins every settlement line to its hold by
transaction_id (ledger.hold.transaction_id REFERENCES ledger.transaction).';

COMMIT;
