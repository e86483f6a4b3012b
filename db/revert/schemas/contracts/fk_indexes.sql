-- Revert mercato:schemas/contracts/fk_indexes from pg

BEGIN;

DROP INDEX contracts.contract_line_rfq_line_id_idx;
DROP INDEX contracts.party_provider_provider_id_idx;

COMMIT;
