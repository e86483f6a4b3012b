-- Revert mercato:functions/marketplace/rfqs from pg

BEGIN;

DROP FUNCTION marketplace.cancel_rfq(bigint), marketplace.publish_rfq(bigint),
    marketplace.create_rfq(text, date, date, timestamptz, jsonb, text), marketplace.require_owner(bigint, text);

COMMIT;
