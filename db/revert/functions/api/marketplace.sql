-- Revert mercato:functions/api/marketplace from pg

BEGIN;

DROP FUNCTION api.register_business(text, text, text), api.register_provider(text, text, text), api.set_business_kyb(bigint, text), api.set_provider_verification(bigint, text), api.add_vehicle(text, text, integer, text, text, text, text[], jsonb), api.set_vehicle_status(bigint, text), api.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric), api.verify_insurance(bigint, text), api.expiring_insurance(integer), api.my_vehicles(), api.top_up_business(bigint, numeric, text), api.recalculate_tiers(), api.commission_terms(text, text, timestamptz), api.create_rfq(text, date, date, timestamptz, jsonb, text), api.publish_rfq(bigint), api.cancel_rfq(bigint), api.rfq(bigint), api.my_rfqs(text), api.open_rfqs(), api.submit_bid(bigint, jsonb), api.withdraw_bid(bigint), api.my_bid(bigint), api.rfq_bids(bigint), api.award_rfq(bigint, jsonb), api.start_delivery_session(bigint, text, text), api.resend_code(bigint, text), api.verify_code(bigint, text, jsonb), api.cancel_delivery_session(bigint), api.delivery_session(bigint), api.expire_codes();

COMMIT;
