-- Deploy mercato:functions/api/payments_rails to pg
-- The HTTP API of the rails (functions/payments/rails, webhooks, funding, withdrawals): rails and their secrets (the
-- back office, payments.manage), inbound webhooks (the HTTP edge, as the back office), the rail adapter's
-- acknowledgement (an outbox sender), funding sessions and withdrawals (a wallet's user or organization ADMIN).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.rails()
RETURNS TABLE (code text, name text, kind text, currency text, status text, answer_timeout_seconds integer,
               timestamp_tolerance_seconds integer, live_hmac_secrets integer, has_path_token boolean,
               source_allowlist text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.code, r.name, r.kind, r.currency, r.status, r.answer_timeout_seconds, r.timestamp_tolerance_seconds,
           r.live_hmac_secrets, r.has_path_token, r.source_allowlist
      FROM payments.rails() r;
END;
SELECT core.wrap('api.rails()', 'payments.rails()', 'A signed-in user (ACTIVE rails); the back office (all, with settings).',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_rail(p_code core.name_text, p_kind core.name_text DEFAULT NULL,
                                        p_name core.name_text DEFAULT NULL, p_status core.name_text DEFAULT NULL,
                                        p_shortcode core.name_text DEFAULT NULL,
                                        p_answer_timeout_seconds integer DEFAULT NULL,
                                        p_timestamp_tolerance_seconds integer DEFAULT NULL,
                                        p_source_allowlist core.text_list DEFAULT NULL,
                                        p_currency core.name_text DEFAULT 'KES')
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN to_jsonb(payments.set_rail(p_code, p_kind, p_name, p_status, p_shortcode, p_answer_timeout_seconds,
                                  p_timestamp_tolerance_seconds, p_source_allowlist, p_currency));
SELECT core.wrap('api.set_rail(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, integer, integer, core.text_list, core.name_text)',
                 'payments.set_rail(text, text, text, text, text, integer, integer, text[], text)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_rail_hmac_secret(p_code core.name_text, p_secret core.name_text,
                                                    p_retire_others boolean DEFAULT false)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.add_rail_hmac_secret(p_code, p_secret, p_retire_others);
SELECT core.wrap('api.add_rail_hmac_secret(core.name_text, core.name_text, boolean)',
                 'payments.add_rail_hmac_secret(text, text, boolean)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.new_rail_path_token(p_code core.name_text)
RETURNS text LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.new_rail_path_token(p_code);
SELECT core.wrap('api.new_rail_path_token(core.name_text)', 'payments.new_rail_path_token(text)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.ingest_webhook(p_provider core.name_text, p_headers core.json_doc, p_body core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.ingest_webhook(p_provider, p_headers, p_body);
SELECT core.wrap('api.ingest_webhook(core.name_text, core.json_doc, core.long_text)',
                 'payments.ingest_webhook(text, jsonb, text)', 'The HTTP edge receiving the rails'' calls (back office).',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.rail_acknowledge(p_message_id bigint, p_lease uuid, p_response core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.rail_acknowledge(p_message_id, p_lease, p_response);
SELECT core.wrap('api.rail_acknowledge(bigint, uuid, core.long_text)', 'payments.rail_acknowledge(bigint, uuid, text)',
                 'A rail adapter (mercato_sender).', 'mercato_sender');

CREATE OR REPLACE FUNCTION api.webhook_events(p_state core.name_text DEFAULT NULL, p_provider core.name_text DEFAULT NULL,
                                              p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, provider text, received_at timestamptz, source_address text, event_kind text,
               processing_state text, error_code text, error text, instruction_id bigint, duplicate_of bigint,
               dedupe_key text, body text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT e.id, e.provider, e.received_at, e.source_address, e.event_kind, e.processing_state, e.error_code, e.error,
           e.instruction_id, e.duplicate_of, e.dedupe_key, e.body
      FROM payments.webhook_events(p_state, p_provider, p_limit) e;
END;
SELECT core.wrap('api.webhook_events(core.name_text, core.name_text, integer)', 'payments.webhook_events(text, text, integer)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.create_funding_session(p_wallet_id bigint, p_rail core.name_text, p_amount numeric,
                                                      p_payer core.name_text, p_intent_share_id bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.create_funding_session(p_wallet_id, p_rail, p_amount, p_payer, p_intent_share_id);
SELECT core.wrap('api.create_funding_session(bigint, core.name_text, numeric, core.name_text, bigint)',
                 'payments.create_funding_session(bigint, text, numeric, text, bigint)',
                 'The wallet''s user or its organization''s ADMIN/OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.funding_session(p_session_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.get_funding_session(p_session_id);
SELECT core.wrap('api.funding_session(bigint)', 'payments.get_funding_session(bigint)',
                 'The wallet''s user or its organization''s members; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.request_withdrawal(p_wallet_id bigint, p_rail core.name_text, p_amount numeric,
                                                  p_destination core.name_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.request_withdrawal(p_wallet_id, p_rail, p_amount, p_destination);
SELECT core.wrap('api.request_withdrawal(bigint, core.name_text, numeric, core.name_text)',
                 'payments.request_withdrawal(bigint, text, numeric, text)',
                 'The wallet''s user or its organization''s ADMIN/OWNER; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.withdrawal(p_withdrawal_id bigint)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.get_withdrawal(p_withdrawal_id);
SELECT core.wrap('api.withdrawal(bigint)', 'payments.get_withdrawal(bigint)',
                 'The wallet''s user or its organization''s members; back office.', 'mercato_user', 'mercato_service');

COMMIT;
