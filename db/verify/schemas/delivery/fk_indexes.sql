-- Verify mercato:schemas/delivery/fk_indexes on pg

BEGIN;

-- each index exists (to_regclass is NULL when it is missing: 1/0 fails)
SELECT 1 / (to_regclass('delivery.session_business_id_idx') IS NOT NULL)::int;
SELECT 1 / (to_regclass('delivery.session_provider_id_idx') IS NOT NULL)::int;

ROLLBACK;
