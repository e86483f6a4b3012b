-- Deploy mercato:functions/api/payments_intents to pg
-- The HTTP API of payment intents and KE-QR codes (functions/payments/intents, functions/payments/qr_codes).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.create_payment_intent(p_merchant_id bigint, p_amount numeric, p_currency core.name_text,
                                                     p_description core.long_text DEFAULT '',
                                                     p_metadata core.json_doc DEFAULT '{}',
                                                     p_capture_method core.name_text DEFAULT 'automatic',
                                                     p_sources core.json_doc DEFAULT NULL,
                                                     p_idempotency_key core.name_text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.create_intent(p_merchant_id, p_amount, p_currency, p_description, p_metadata, p_capture_method,
                              p_sources, p_idempotency_key);
SELECT core.wrap('api.create_payment_intent(bigint, numeric, core.name_text, core.long_text, core.json_doc, core.name_text, core.json_doc, core.name_text)',
                 'payments.create_intent(bigint, numeric, text, text, jsonb, text, jsonb, text)',
                 'A signed-in user (a member of the merchant for a customer, or a payer for itself); back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.confirm_payment_intent(p_intent_id bigint, p_sources core.json_doc DEFAULT NULL,
                                                      p_idempotency_key core.name_text DEFAULT NULL,
                                                      p_client_secret core.name_text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.confirm_intent(p_intent_id, p_sources, p_idempotency_key, p_client_secret);
SELECT core.wrap('api.confirm_payment_intent(bigint, core.json_doc, core.name_text, core.name_text)',
                 'payments.confirm_intent(bigint, jsonb, text, text)',
                 'The payer (a signed-in user; the first to confirm a merchant''s intent, with its client secret, becomes its payer).',
                 'mercato_user');

CREATE OR REPLACE FUNCTION api.capture_payment_intent(p_intent_id bigint, p_amount numeric DEFAULT NULL,
                                                      p_idempotency_key core.name_text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.capture_intent(p_intent_id, p_amount, p_idempotency_key);
SELECT core.wrap('api.capture_payment_intent(bigint, numeric, core.name_text)', 'payments.capture_intent(bigint, numeric, text)',
                 'A member of the intent''s merchant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.cancel_payment_intent(p_intent_id bigint,
                                                     p_reason core.long_text DEFAULT 'requested_by_customer')
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.cancel_intent(p_intent_id, p_reason);
SELECT core.wrap('api.cancel_payment_intent(bigint, core.long_text)', 'payments.cancel_intent(bigint, text)',
                 'The payer or a member of the merchant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.refund_payment_intent(p_intent_id bigint, p_amount numeric DEFAULT NULL,
                                                     p_reason core.long_text DEFAULT '',
                                                     p_idempotency_key core.name_text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.refund_intent(p_intent_id, p_amount, p_reason, p_idempotency_key);
SELECT core.wrap('api.refund_payment_intent(bigint, numeric, core.long_text, core.name_text)',
                 'payments.refund_intent(bigint, numeric, text, text)',
                 'An ADMIN or OWNER of the intent''s merchant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.get_payment_intent(p_intent_id bigint, p_client_secret core.name_text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.get_intent(p_intent_id, p_client_secret);
SELECT core.wrap('api.get_payment_intent(bigint, core.name_text)', 'payments.get_intent(bigint, text)',
                 'The payer or a member of the merchant (or a customer with the client secret); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.list_payment_intents(p_merchant_id bigint DEFAULT NULL, p_status core.name_text DEFAULT NULL,
                                                    p_after_id bigint DEFAULT 0, p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, merchant_id bigint, payer_user_id bigint, amount numeric, currency text, status text,
               capture_method text, amount_captured numeric, amount_refunded numeric, description text,
               created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.merchant_id, l.payer_user_id, l.amount, l.currency, l.status, l.capture_method, l.amount_captured,
           l.amount_refunded, l.description, l.created_at
      FROM payments.list_intents(p_merchant_id, p_status, p_after_id, p_limit) l;
END;
SELECT core.wrap('api.list_payment_intents(bigint, core.name_text, bigint, integer)',
                 'payments.list_intents(bigint, text, bigint, integer)',
                 'A payer (its own) or a member of the merchant (p_merchant_id); back office.', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.create_qr_code(p_merchant_id bigint, p_intent_id bigint DEFAULT NULL,
                                              p_mcc core.name_text DEFAULT '5999', p_city core.name_text DEFAULT 'Nairobi',
                                              p_expires_at core.finite_timestamptz DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.create_qr_code(p_merchant_id, p_intent_id, p_mcc, p_city, p_expires_at);
SELECT core.wrap('api.create_qr_code(bigint, bigint, core.name_text, core.name_text, core.finite_timestamptz)',
                 'payments.create_qr_code(bigint, bigint, text, text, timestamptz)',
                 'A member of the merchant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.pay_qr(p_payload core.long_text, p_wallet_id bigint, p_amount numeric DEFAULT NULL,
                                      p_idempotency_key core.name_text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.pay_qr(p_payload, p_wallet_id, p_amount, p_idempotency_key);
SELECT core.wrap('api.pay_qr(core.long_text, bigint, numeric, core.name_text)', 'payments.pay_qr(text, bigint, numeric, text)',
                 'A signed-in user paying from its own wallet (or its organization''s as ADMIN).', 'mercato_user');

COMMIT;
