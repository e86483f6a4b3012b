-- Deploy mercato:functions/api/marketplace to pg
-- The HTTP API of the marketplace: parties, tiers, RFQs and sealed bids, OTP-verified delivery. Thin
-- SECURITY DEFINER wrappers (API roles execute only api.*): the module functions check who is calling (request.jwt.claims) themselves.
--
-- Rework of the released version (issue 17): api.start_delivery_session and api.resend_code return the session, the
-- code's expiry and the outbox message id, never the code (it goes to the business through the outbox). The rework of
-- functions/delivery/sessions, planned just before, dropped them with the functions they call; they are created here
-- in their new shape. Every other wrapper is as released (CREATE OR REPLACE).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.register_business(p_name core.name_text, p_business_type core.name_text, p_tin_number core.name_text DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN parties.register_business(p_name, p_business_type, p_tin_number);
SELECT core.wrap('api.register_business(core.name_text, core.name_text, core.name_text)', 'parties.register_business(text, text, text)',
                 'A BUSINESS user.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.register_provider(p_provider_type core.name_text, p_name core.name_text, p_tin_number core.name_text DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN parties.register_provider(p_provider_type, p_name, p_tin_number);
SELECT core.wrap('api.register_provider(core.name_text, core.name_text, core.name_text)', 'parties.register_provider(text, text, text)',
                 'A PROVIDER user.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_business_kyb(p_business_id bigint, p_status core.name_text)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT parties.set_business_kyb(p_business_id, p_status);
END;
SELECT core.wrap('api.set_business_kyb(bigint, core.name_text)', 'parties.set_business_kyb(bigint, text)',
                 'Marketplace admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_provider_verification(p_provider_id bigint, p_status core.name_text)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT parties.set_provider_verification(p_provider_id, p_status);
END;
SELECT core.wrap('api.set_provider_verification(bigint, core.name_text)', 'parties.set_provider_verification(bigint, text)',
                 'Marketplace admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_vehicle(p_plate_number core.name_text, p_vehicle_type core.name_text, p_seat_count integer, p_engine_type core.name_text DEFAULT NULL, p_brand core.name_text DEFAULT NULL, p_model core.name_text DEFAULT NULL, p_tags core.text_list DEFAULT '{}', p_images core.json_doc DEFAULT '{}')
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN fleet.add_vehicle(p_plate_number, p_vehicle_type, p_seat_count, p_engine_type, p_brand, p_model, p_tags, p_images);
SELECT core.wrap('api.add_vehicle(core.name_text, core.name_text, integer, core.name_text, core.name_text, core.name_text, core.text_list, core.json_doc)', 'fleet.add_vehicle(text, text, integer, text, text, text, text[], jsonb)',
                 'A provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_vehicle_status(p_vehicle_id bigint, p_status core.name_text)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT fleet.set_vehicle_status(p_vehicle_id, p_status);
END;
SELECT core.wrap('api.set_vehicle_status(bigint, core.name_text)', 'fleet.set_vehicle_status(bigint, text)',
                 'Admin (a provider may retire its own).', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_vehicle_insurance(p_vehicle_id bigint, p_insurance_type core.name_text, p_company_name core.name_text, p_coverage_start core.finite_date, p_coverage_end core.finite_date, p_certificate_url core.url_text, p_policy_number core.name_text DEFAULT NULL, p_insured_amount numeric DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN fleet.add_vehicle_insurance(p_vehicle_id, p_insurance_type, p_company_name, p_coverage_start, p_coverage_end, p_certificate_url, p_policy_number, p_insured_amount);
SELECT core.wrap('api.add_vehicle_insurance(bigint, core.name_text, core.name_text, core.finite_date, core.finite_date, core.url_text, core.name_text, numeric)', 'fleet.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric)',
                 'A provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.verify_insurance(p_insurance_id bigint, p_status core.name_text)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT fleet.verify_insurance(p_insurance_id, p_status);
END;
SELECT core.wrap('api.verify_insurance(bigint, core.name_text)', 'fleet.verify_insurance(bigint, text)',
                 'Marketplace admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.expiring_insurance(p_within_days integer DEFAULT 30)
RETURNS TABLE(insurance_id bigint, vehicle_id bigint, plate_number text, provider_id bigint, company_name text, coverage_end date, days_left integer) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM fleet.expiring_insurance(p_within_days);
END;
SELECT core.wrap('api.expiring_insurance(integer)', 'fleet.expiring_insurance(integer)',
                 'A provider (own) or admin (all).', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.my_vehicles()
RETURNS SETOF fleet.vehicle LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM fleet.my_vehicles();
END;
SELECT core.wrap('api.my_vehicles()', 'fleet.my_vehicles()',
                 'A provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.top_up_business(p_business_id bigint, p_amount numeric, p_reference core.name_text)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN parties.top_up_business(p_business_id, p_amount, p_reference);
SELECT core.wrap('api.top_up_business(bigint, numeric, core.name_text)', 'parties.top_up_business(bigint, numeric, text)',
                 'Back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.recalculate_tiers()
RETURNS TABLE(party_type text, evaluated bigint, promoted bigint, demoted bigint, pending_demotion bigint) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM parties.recalculate_tiers();
END;
SELECT core.wrap('api.recalculate_tiers()', 'parties.recalculate_tiers()',
                 'Back office or admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.commission_terms(p_tier_code core.name_text, p_currency core.name_text, p_at core.finite_timestamptz DEFAULT now())
RETURNS TABLE(policy_version_id bigint, version integer, rate numeric, minimum_amount numeric, maximum_amount numeric, minimum_share numeric) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM masterdata.commission_terms(p_tier_code, p_currency, p_at);
END;
SELECT core.wrap('api.commission_terms(core.name_text, core.name_text, core.finite_timestamptz)', 'masterdata.commission_terms(text, text, timestamptz)',
                 'Anyone authenticated.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.recalculate_provider_tier(p_provider_id bigint)
RETURNS TABLE(tier_code text, changed boolean) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM parties.recalculate_provider_tier(p_provider_id);
END;
SELECT core.wrap('api.recalculate_provider_tier(bigint)', 'parties.recalculate_provider_tier(bigint)',
                 'Back office or admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.recalculate_business_tier(p_business_id bigint)
RETURNS TABLE(tier_code text, changed boolean) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM parties.recalculate_business_tier(p_business_id);
END;
SELECT core.wrap('api.recalculate_business_tier(bigint)', 'parties.recalculate_business_tier(bigint)',
                 'Back office or admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.apply_trust_events()
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN parties.apply_trust_events();
SELECT core.wrap('api.apply_trust_events()', 'parties.apply_trust_events()',
                 'Back office or admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_commission_strategy(p_effective_from core.finite_timestamptz, p_rules core.json_doc, p_note core.long_text DEFAULT '')
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN masterdata.add_commission_strategy(p_effective_from, p_rules, p_note);
SELECT core.wrap('api.add_commission_strategy(core.finite_timestamptz, core.json_doc, core.long_text)', 'masterdata.add_commission_strategy(timestamptz, jsonb, text)',
                 'Admin (masterdata.manage).', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.create_rfq(p_title core.name_text, p_start_date core.finite_date, p_end_date core.finite_date, p_bid_deadline core.finite_timestamptz, p_lines core.json_doc, p_description core.long_text DEFAULT '')
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN marketplace.create_rfq(p_title, p_start_date, p_end_date, p_bid_deadline, p_lines, p_description);
SELECT core.wrap('api.create_rfq(core.name_text, core.finite_date, core.finite_date, core.finite_timestamptz, core.json_doc, core.long_text)', 'marketplace.create_rfq(text, date, date, timestamptz, jsonb, text)',
                 'A business.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.update_rfq(p_rfq_id bigint, p_title core.name_text DEFAULT NULL, p_start_date core.finite_date DEFAULT NULL, p_end_date core.finite_date DEFAULT NULL, p_bid_deadline core.finite_timestamptz DEFAULT NULL, p_lines core.json_doc DEFAULT NULL, p_description core.long_text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN marketplace.update_rfq(p_rfq_id, p_title, p_start_date, p_end_date, p_bid_deadline, p_lines, p_description);
SELECT core.wrap('api.update_rfq(bigint, core.name_text, core.finite_date, core.finite_date, core.finite_timestamptz, core.json_doc, core.long_text)', 'marketplace.update_rfq(bigint, text, date, date, timestamptz, jsonb, text)',
                 'The RFQ''s business, while it is a DRAFT.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.publish_rfq(p_rfq_id bigint)
RETURNS marketplace.rfq_summary LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.id, r.business_id, r.title, r.description, r.currency, r.start_date, r.end_date, r.bid_deadline, r.status,
           r.published_at, r.awarded_at, r.created_at, r.updated_at
      FROM marketplace.publish_rfq(p_rfq_id) r;
END;
SELECT core.wrap('api.publish_rfq(bigint)', 'marketplace.publish_rfq(bigint)',
                 'The RFQ''s business.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.cancel_rfq(p_rfq_id bigint)
RETURNS marketplace.rfq_summary LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.id, r.business_id, r.title, r.description, r.currency, r.start_date, r.end_date, r.bid_deadline, r.status,
           r.published_at, r.awarded_at, r.created_at, r.updated_at
      FROM marketplace.cancel_rfq(p_rfq_id) r;
END;
SELECT core.wrap('api.cancel_rfq(bigint)', 'marketplace.cancel_rfq(bigint)',
                 'The RFQ''s business or admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.rfq(p_rfq_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN marketplace.get_rfq(p_rfq_id);
SELECT core.wrap('api.rfq(bigint)', 'marketplace.get_rfq(bigint)',
                 'Its business; providers while published.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.my_rfqs(p_status core.name_text DEFAULT NULL)
RETURNS TABLE(rfq_id bigint, title text, status text, start_date date, end_date date, bid_deadline timestamp with time zone) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM marketplace.my_rfqs(p_status);
END;
SELECT core.wrap('api.my_rfqs(core.name_text)', 'marketplace.my_rfqs(text)',
                 'A business.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.open_rfqs()
RETURNS TABLE(rfq_id bigint, title text, currency text, start_date date, end_date date, bid_deadline timestamp with time zone, lines jsonb) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM marketplace.open_rfqs();
END;
SELECT core.wrap('api.open_rfqs()', 'marketplace.open_rfqs()',
                 'A provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.submit_bid(p_rfq_id bigint, p_lines core.json_doc)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN marketplace.submit_bid(p_rfq_id, p_lines);
SELECT core.wrap('api.submit_bid(bigint, core.json_doc)', 'marketplace.submit_bid(bigint, jsonb)',
                 'A verified provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.withdraw_bid(p_rfq_id bigint)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT marketplace.withdraw_bid(p_rfq_id);
END;
SELECT core.wrap('api.withdraw_bid(bigint)', 'marketplace.withdraw_bid(bigint)',
                 'The bidding provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.my_bid(p_rfq_id bigint)
RETURNS TABLE(bid_id bigint, status text, revision integer, submitted_at timestamp with time zone, rfq_line_id bigint, unit_price numeric, quantity_offered integer, quantity_awarded integer) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM marketplace.my_bid(p_rfq_id);
END;
SELECT core.wrap('api.my_bid(bigint)', 'marketplace.my_bid(bigint)',
                 'The bidding provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.rfq_bids(p_rfq_id bigint)
RETURNS TABLE(rfq_line_id bigint, line_no smallint, rank bigint, bidder text, unit_price numeric, quantity_offered integer, submitted_at timestamp with time zone) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM marketplace.rfq_bids(p_rfq_id);
END;
SELECT core.wrap('api.rfq_bids(bigint)', 'marketplace.rfq_bids(bigint)',
                 'The RFQ''s business or admin, after the deadline.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.award_rfq(p_rfq_id bigint, p_awards core.json_doc)
RETURNS integer LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN marketplace.award_rfq(p_rfq_id, p_awards);
SELECT core.wrap('api.award_rfq(bigint, core.json_doc)', 'marketplace.award_rfq(bigint, jsonb)',
                 'The RFQ''s business.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.start_delivery_session(p_assignment_id bigint, p_session_type core.name_text, p_channel core.name_text DEFAULT 'SMS')
RETURNS TABLE(session_id bigint, expires_at timestamp with time zone, message_id bigint) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM delivery.start_session(p_assignment_id, p_session_type, p_channel);
END;
SELECT core.wrap('api.start_delivery_session(bigint, core.name_text, core.name_text)', 'delivery.start_session(bigint, text, text)',
                 'The assignment''s provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.resend_code(p_session_id bigint, p_channel core.name_text DEFAULT 'SMS')
RETURNS TABLE(session_id bigint, expires_at timestamp with time zone, message_id bigint) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM delivery.resend_code(p_session_id, p_channel);
END;
SELECT core.wrap('api.resend_code(bigint, core.name_text)', 'delivery.resend_code(bigint, text)',
                 'The session''s provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.verify_code(p_session_id bigint, p_code core.name_text, p_handover core.json_doc DEFAULT '{}')
RETURNS TABLE(verified boolean, outcome text, attempts_left integer, session_status text) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM delivery.verify_code(p_session_id, p_code, p_handover);
END;
SELECT core.wrap('api.verify_code(bigint, core.name_text, core.json_doc)', 'delivery.verify_code(bigint, text, jsonb)',
                 'The contract''s business.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.cancel_delivery_session(p_session_id bigint)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT delivery.cancel_session(p_session_id);
END;
SELECT core.wrap('api.cancel_delivery_session(bigint)', 'delivery.cancel_session(bigint)',
                 'The provider or admin.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.delivery_session(p_session_id bigint)
RETURNS TABLE(session_id bigint, assignment_id bigint, session_type text, status text, failures integer, failure_budget integer, codes_issued integer, code_expires_at timestamp with time zone, verified_at timestamp with time zone) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM delivery.session_status(p_session_id);
END;
SELECT core.wrap('api.delivery_session(bigint)', 'delivery.session_status(bigint)',
                 'The session''s parties.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.expire_codes()
RETURNS integer LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN delivery.expire_codes();
SELECT core.wrap('api.expire_codes()', 'delivery.expire_codes()',
                 'Back office or admin.', 'mercato_user', 'mercato_service');

COMMIT;
