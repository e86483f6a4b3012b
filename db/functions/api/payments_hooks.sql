-- Deploy mercato:functions/api/payments_hooks to pg
-- The HTTP API of the second pass on the rails and merchant webhooks (docs/payments.md): the back office resolves
-- inbound webhook events held for review; the merchant webhook sender asks for the request of a message it holds.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.resolve_webhook_event(p_event_id bigint, p_action core.name_text, p_reason core.long_text)
RETURNS jsonb LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.resolve_webhook_event(p_event_id, p_action, p_reason);
SELECT core.wrap('api.resolve_webhook_event(bigint, core.name_text, core.long_text)',
                 'payments.resolve_webhook_event(bigint, text, text)',
                 'A payments administrator (payments.manage); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.merchant_webhook_request(p_message_id bigint, p_lease uuid)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN payments.merchant_webhook_request(p_message_id, p_lease);
SELECT core.wrap('api.merchant_webhook_request(bigint, uuid)', 'payments.merchant_webhook_request(bigint, uuid)',
                 'A merchant webhook sender (mercato_sender).', 'mercato_sender');

COMMIT;
