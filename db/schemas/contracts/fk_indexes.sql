-- Deploy mercato:schemas/contracts/fk_indexes to pg
-- requires: schemas/contracts
-- Plain CREATE INDEX: the table is small when this change is deployed in CI and on new databases. On a large live
-- table a DBA would build the same index with CREATE INDEX CONCURRENTLY outside a transaction, ahead of this deploy,
-- so that the deploy finds it (build it first, then deploy; IF NOT EXISTS keeps this script a no-op then).
-- Why these foreign keys and not others: docs/operations.md, "Foreign keys and their indexes".

BEGIN;

SET LOCAL lock_timeout = '5s';

-- CONCURRENTLY ahead of this deploy on a large live table (see the header):
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX IF NOT EXISTS contract_line_rfq_line_id_idx ON contracts.contract_line (rfq_line_id);
COMMENT ON INDEX contracts.contract_line_rfq_line_id_idx IS
'The foreign key check when RFQ lines are deleted: marketplace.update_rfq replaces a draft''s lines (DELETE FROM
marketplace.rfq_line), and each deleted line is looked up in contracts.contract_line. An id column of a sealed table:
no API role reads contract_line, so no EXPLAIN probe reaches this index.';

-- CONCURRENTLY ahead of this deploy on a large live table (see the header):
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX IF NOT EXISTS party_provider_provider_id_idx ON contracts.party_provider (provider_id);
COMMENT ON INDEX contracts.party_provider_provider_id_idx IS
'A provider''s contract snapshots: the RLS policy party_provider_party filters on provider_id = my_provider_id()
(the primary key leads with contract_id).';

COMMIT;
