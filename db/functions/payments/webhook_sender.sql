-- Deploy mercato:functions/payments/webhook_sender to pg
-- What the merchant webhook sender (an outbox sender of channel WEBHOOK; docs/payments.md, "The merchant webhook
-- sender") asks the database before each HTTP attempt: the request to make, signed now. The message enqueued by
-- payments.deliver_merchant_event carries a signature made when the event happened; a retry an hour later would carry
-- a timestamp outside the merchant's tolerance, so every attempt is signed again here, with the secrets valid at that
-- instant (two during a rotation). The secrets never leave the database.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.merchant_webhook_request(p_message_id bigint, p_lease uuid)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m    outbox.message;
    v_d    payments.webhook_delivery;
    v_url  text;
    v_t    bigint := floor(extract(epoch FROM now()))::bigint;
    v_body text;
BEGIN
    PERFORM outbox.require_sender();
    SELECT * INTO v_m FROM outbox.message WHERE id = p_message_id;
    IF NOT FOUND OR v_m.state <> 'SENDING' OR v_m.lease_token IS DISTINCT FROM p_lease THEN
        PERFORM core.raise('OUTBOX_LEASE_LOST', format('message %s is not held under this lease', p_message_id));
    END IF;
    SELECT * INTO v_d FROM payments.webhook_delivery WHERE message_id = p_message_id;
    IF NOT FOUND OR v_m.channel <> 'WEBHOOK' OR v_m.template <> 'payments.merchant_event' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('message %s is no merchant webhook delivery', p_message_id));
    END IF;
    SELECT e.url INTO v_url FROM payments.webhook_endpoint e WHERE e.id = v_d.endpoint_id;
    v_body := v_m.params ->> 'body';
    RETURN jsonb_build_object(
        'message_id', v_m.id, 'delivery_id', v_d.id, 'endpoint_id', v_d.endpoint_id, 'event_id', v_d.event_id,
        'method', 'POST', 'url', v_url, 'body', v_body,
        'headers', coalesce(v_m.params -> 'headers', '{}') || jsonb_build_object(
            'Mercato-Signature', payments.webhook_signature(v_d.endpoint_id, v_t, v_body, now()),
            'Idempotency-Key', 'msg_' || v_m.id,
            'User-Agent', 'Mercato-Webhooks/1'));
END
$$;
COMMENT ON FUNCTION payments.merchant_webhook_request(bigint, uuid) IS
'The HTTP request a merchant webhook sender (mercato_sender) makes for a WEBHOOK message it holds under its lease:
{message_id, delivery_id, endpoint_id, event_id, method POST, url (the endpoint''s current URL), body (the event''s JSON
exactly as enqueued), headers}. The headers are those enqueued (Content-Type, Mercato-Event-Id, Mercato-Event-Sequence)
with Mercato-Signature made now ("t=<now>,v1=<hex>[,v1=<hex>]": HMAC-SHA256 over "<t>.<body>" under every secret valid
now, payments.webhook_signature), Idempotency-Key msg_<message id> (the outbox contract) and User-Agent. The sender
never sees a secret. Errors: OUTBOX_NOT_SENDER, OUTBOX_LEASE_LOST (not SENDING under this lease), PAYMENTS_INVALID_INPUT
(not a merchant webhook message).';

REVOKE ALL ON FUNCTION payments.merchant_webhook_request(bigint, uuid) FROM PUBLIC;

COMMIT;
