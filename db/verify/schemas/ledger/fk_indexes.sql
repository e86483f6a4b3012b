-- Verify mercato:schemas/ledger/fk_indexes on pg

BEGIN;

-- each index exists (to_regclass is NULL when it is missing: 1/0 fails)
SELECT 1 / (to_regclass('ledger.hold_transaction_id_idx') IS NOT NULL)::int;

ROLLBACK;
