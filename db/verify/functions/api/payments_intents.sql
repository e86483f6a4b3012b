-- Verify mercato:functions/api/payments_intents on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.create_payment_intent(bigint, numeric, core.name_text, core.long_text, core.json_doc, core.name_text, core.json_doc, core.name_text)'),
               ('mercato_user', 'api.confirm_payment_intent(bigint, core.json_doc, core.name_text, core.name_text)'),
               ('mercato_user', 'api.capture_payment_intent(bigint, numeric, core.name_text)'),
               ('mercato_user', 'api.cancel_payment_intent(bigint, core.long_text)'),
               ('mercato_user', 'api.refund_payment_intent(bigint, numeric, core.long_text, core.name_text)'),
               ('mercato_user', 'api.get_payment_intent(bigint, core.name_text)'),
               ('mercato_user', 'api.list_payment_intents(bigint, core.name_text, bigint, integer)'),
               ('mercato_user', 'api.create_qr_code(bigint, bigint, core.name_text, core.name_text, core.finite_timestamptz)'),
               ('mercato_user', 'api.pay_qr(core.long_text, bigint, numeric, core.name_text)'),
               ('mercato_service', 'api.create_payment_intent(bigint, numeric, core.name_text, core.long_text, core.json_doc, core.name_text, core.json_doc, core.name_text)'),
               ('mercato_service', 'api.capture_payment_intent(bigint, numeric, core.name_text)'),
               ('mercato_service', 'api.cancel_payment_intent(bigint, core.long_text)'),
               ('mercato_service', 'api.refund_payment_intent(bigint, numeric, core.long_text, core.name_text)'),
               ('mercato_service', 'api.get_payment_intent(bigint, core.name_text)'),
               ('mercato_service', 'api.list_payment_intents(bigint, core.name_text, bigint, integer)'),
               ('mercato_service', 'api.create_qr_code(bigint, bigint, core.name_text, core.name_text, core.finite_timestamptz)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_service', 'api.confirm_payment_intent(bigint, core.json_doc, core.name_text, core.name_text)'),
               ('mercato_service', 'api.pay_qr(core.long_text, bigint, numeric, core.name_text)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.create_payment_intent(bigint, numeric, core.name_text, core.long_text, core.json_doc, core.name_text, core.json_doc, core.name_text)',
                    'api.confirm_payment_intent(bigint, core.json_doc, core.name_text, core.name_text)',
                    'api.capture_payment_intent(bigint, numeric, core.name_text)',
                    'api.cancel_payment_intent(bigint, core.long_text)',
                    'api.refund_payment_intent(bigint, numeric, core.long_text, core.name_text)',
                    'api.get_payment_intent(bigint, core.name_text)',
                    'api.list_payment_intents(bigint, core.name_text, bigint, integer)',
                    'api.create_qr_code(bigint, bigint, core.name_text, core.name_text, core.finite_timestamptz)',
                    'api.pay_qr(core.long_text, bigint, numeric, core.name_text)']) AS f;

ROLLBACK;
