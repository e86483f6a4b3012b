-- Deploy mercato:schemas/delivery/fk_indexes to pg
-- requires: schemas/delivery
-- Plain CREATE INDEX: the table is small when this change is deployed in CI and on new databases. On a large live
-- table a DBA would build the same index with CREATE INDEX CONCURRENTLY outside a transaction, ahead of this deploy,
-- so that the deploy finds it (build it first, then deploy; IF NOT EXISTS keeps this script a no-op then).
-- Why these foreign keys and not others: docs/operations.md, "Foreign keys and their indexes".

BEGIN;

SET LOCAL lock_timeout = '5s';

-- CONCURRENTLY ahead of this deploy on a large live table (see the header):
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX IF NOT EXISTS session_business_id_idx ON delivery.session (business_id);
COMMENT ON INDEX delivery.session_business_id_idx IS
'A business''s delivery sessions: the RLS policy session_party filters on business_id = my_business_id().';

-- CONCURRENTLY ahead of this deploy on a large live table (see the header):
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX IF NOT EXISTS session_provider_id_idx ON delivery.session (provider_id);
COMMENT ON INDEX delivery.session_provider_id_idx IS
'A provider''s delivery sessions: the RLS policy session_party filters on provider_id = my_provider_id().';

COMMIT;
