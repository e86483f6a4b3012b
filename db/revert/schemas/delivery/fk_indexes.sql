-- Revert mercato:schemas/delivery/fk_indexes from pg

BEGIN;

DROP INDEX delivery.session_business_id_idx;
DROP INDEX delivery.session_provider_id_idx;

COMMIT;
