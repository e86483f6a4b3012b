-- Verify mercato:functions/api/marketplace on pg
-- Existence and privileges only: each cast to regprocedure raises when its wrapper is missing; the last query divides
-- by zero when a wrapper is not executable by mercato_user and mercato_service, or is by anonymous callers.

BEGIN;

SELECT 'api.register_business(core.name_text, core.name_text, core.name_text)'::regprocedure;
SELECT 'api.register_provider(core.name_text, core.name_text, core.name_text)'::regprocedure;
SELECT 'api.set_business_kyb(bigint, core.name_text)'::regprocedure;
SELECT 'api.set_provider_verification(bigint, core.name_text)'::regprocedure;
SELECT 'api.add_vehicle(core.name_text, core.name_text, integer, core.name_text, core.name_text, core.name_text, core.text_list, core.json_doc)'::regprocedure;
SELECT 'api.set_vehicle_status(bigint, core.name_text)'::regprocedure;
SELECT 'api.add_vehicle_insurance(bigint, core.name_text, core.name_text, core.finite_date, core.finite_date, core.url_text, core.name_text, numeric)'::regprocedure;
SELECT 'api.verify_insurance(bigint, core.name_text)'::regprocedure;
SELECT 'api.expiring_insurance(integer)'::regprocedure;
SELECT 'api.my_vehicles()'::regprocedure;
SELECT 'api.top_up_business(bigint, numeric, core.name_text)'::regprocedure;
SELECT 'api.recalculate_tiers()'::regprocedure;
SELECT 'api.recalculate_provider_tier(bigint)'::regprocedure;
SELECT 'api.recalculate_business_tier(bigint)'::regprocedure;
SELECT 'api.apply_trust_events()'::regprocedure;
SELECT 'api.add_commission_strategy(core.finite_timestamptz, core.json_doc, core.long_text)'::regprocedure;
SELECT 'api.commission_terms(core.name_text, core.name_text, core.finite_timestamptz)'::regprocedure;
SELECT 'api.create_rfq(core.name_text, core.finite_date, core.finite_date, core.finite_timestamptz, core.json_doc, core.long_text)'::regprocedure;
SELECT 'api.update_rfq(bigint, core.name_text, core.finite_date, core.finite_date, core.finite_timestamptz, core.json_doc, core.long_text)'::regprocedure;
SELECT 'api.publish_rfq(bigint)'::regprocedure;
SELECT 'api.cancel_rfq(bigint)'::regprocedure;
SELECT 'api.rfq(bigint)'::regprocedure;
SELECT 'api.my_rfqs(core.name_text)'::regprocedure;
SELECT 'api.open_rfqs()'::regprocedure;
SELECT 'api.submit_bid(bigint, core.json_doc)'::regprocedure;
SELECT 'api.withdraw_bid(bigint)'::regprocedure;
SELECT 'api.my_bid(bigint)'::regprocedure;
SELECT 'api.rfq_bids(bigint)'::regprocedure;
SELECT 'api.award_rfq(bigint, core.json_doc)'::regprocedure;
SELECT 'api.start_delivery_session(bigint, core.name_text, core.name_text)'::regprocedure;
SELECT 'api.resend_code(bigint, core.name_text)'::regprocedure;
SELECT 'api.verify_code(bigint, core.name_text, core.json_doc)'::regprocedure;
SELECT 'api.cancel_delivery_session(bigint)'::regprocedure;
SELECT 'api.delivery_session(bigint)'::regprocedure;
SELECT 'api.expire_codes()'::regprocedure;
SELECT 1 / (has_function_privilege('mercato_user', f, 'EXECUTE') AND has_function_privilege('mercato_service', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.register_business(core.name_text, core.name_text, core.name_text)',
                    'api.register_provider(core.name_text, core.name_text, core.name_text)',
                    'api.set_business_kyb(bigint, core.name_text)',
                    'api.set_provider_verification(bigint, core.name_text)',
                    'api.add_vehicle(core.name_text, core.name_text, integer, core.name_text, core.name_text, core.name_text, core.text_list, core.json_doc)',
                    'api.set_vehicle_status(bigint, core.name_text)',
                    'api.add_vehicle_insurance(bigint, core.name_text, core.name_text, core.finite_date, core.finite_date, core.url_text, core.name_text, numeric)',
                    'api.verify_insurance(bigint, core.name_text)',
                    'api.expiring_insurance(integer)',
                    'api.my_vehicles()',
                    'api.top_up_business(bigint, numeric, core.name_text)',
                    'api.recalculate_tiers()',
                    'api.recalculate_provider_tier(bigint)',
                    'api.recalculate_business_tier(bigint)',
                    'api.apply_trust_events()',
                    'api.add_commission_strategy(core.finite_timestamptz, core.json_doc, core.long_text)',
                    'api.commission_terms(core.name_text, core.name_text, core.finite_timestamptz)',
                    'api.create_rfq(core.name_text, core.finite_date, core.finite_date, core.finite_timestamptz, core.json_doc, core.long_text)',
                    'api.update_rfq(bigint, core.name_text, core.finite_date, core.finite_date, core.finite_timestamptz, core.json_doc, core.long_text)',
                    'api.publish_rfq(bigint)',
                    'api.cancel_rfq(bigint)',
                    'api.rfq(bigint)',
                    'api.my_rfqs(core.name_text)',
                    'api.open_rfqs()',
                    'api.submit_bid(bigint, core.json_doc)',
                    'api.withdraw_bid(bigint)',
                    'api.my_bid(bigint)',
                    'api.rfq_bids(bigint)',
                    'api.award_rfq(bigint, core.json_doc)',
                    'api.start_delivery_session(bigint, core.name_text, core.name_text)',
                    'api.resend_code(bigint, core.name_text)',
                    'api.verify_code(bigint, core.name_text, core.json_doc)',
                    'api.cancel_delivery_session(bigint)',
                    'api.delivery_session(bigint)',
                    'api.expire_codes()']) AS f;

ROLLBACK;
