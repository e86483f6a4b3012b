-- Verify mercato:schemas/contracts/fk_indexes on pg

BEGIN;

-- each index exists (to_regclass is NULL when it is missing: 1/0 fails)
SELECT 1 / (to_regclass('contracts.contract_line_rfq_line_id_idx') IS NOT NULL)::int;
SELECT 1 / (to_regclass('contracts.party_provider_provider_id_idx') IS NOT NULL)::int;

ROLLBACK;
