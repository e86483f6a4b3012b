-- Revert mercato:functions/marketplace/awards from pg

BEGIN;

DROP FUNCTION marketplace.award_rfq(bigint, jsonb);

COMMIT;
