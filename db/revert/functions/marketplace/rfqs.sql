-- Revert mercato:functions/marketplace/rfqs from pg

BEGIN;

DROP FUNCTION marketplace.cancel_rfq(bigint), marketplace.publish_rfq(bigint),
    marketplace.update_rfq(bigint, text, date, date, timestamptz, jsonb, text),
    marketplace.create_rfq(text, date, date, timestamptz, jsonb, text), marketplace.add_rfq_lines(bigint, jsonb),
    marketplace.check_rfq_lines(jsonb), marketplace.check_rfq_terms(text, date, date, timestamptz, text),
    marketplace.require_owner(bigint, text);

COMMIT;
