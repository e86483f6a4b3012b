-- Revert mercato:functions/delivery/verification from pg

BEGIN;

DROP FUNCTION delivery.verify_code(bigint, text, jsonb), delivery.record_trust_outcome(bigint, text, jsonb);

COMMIT;
