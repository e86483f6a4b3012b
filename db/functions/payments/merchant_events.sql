-- Deploy mercato:functions/payments/merchant_events to pg
-- Outbound webhooks to merchants (docs/payments.md): endpoints and their signing secrets (shown once; a rotation keeps
-- the old secret valid until the end of its window), events numbered per object without gaps, one outbox message per
-- enabled endpoint carrying the signed request (HMAC-SHA256 over "<timestamp>.<body>" with every valid secret), the
-- outbox's retries with backoff, the deliveries listed for replay. All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- secrets and signatures ----------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.new_webhook_secret(p_endpoint_id bigint)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_secret text := 'whsec_' || encode(public.gen_random_bytes(32), 'hex');
BEGIN
    INSERT INTO payments.webhook_secret (endpoint_id, secret) VALUES (p_endpoint_id, v_secret);
    RETURN v_secret;
END
$$;
COMMENT ON FUNCTION payments.new_webhook_secret(bigint) IS
'A new signing secret for an endpoint (whsec_ and 32 random bytes in hex, pgcrypto), stored and returned once.
Internal: callers check who may manage the endpoint.';

CREATE OR REPLACE FUNCTION payments.webhook_signature(p_endpoint_id bigint, p_timestamp bigint, p_body text,
                                                      p_at timestamptz DEFAULT now())
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
SELECT 't=' || p_timestamp || coalesce(string_agg(
           ',v1=' || encode(public.hmac(convert_to(p_timestamp || '.' || p_body, 'UTF8'), convert_to(s.secret, 'UTF8'),
                                        'sha256'), 'hex'), '' ORDER BY s.id DESC), '')
  FROM payments.webhook_secret s
 WHERE s.endpoint_id = p_endpoint_id AND s.created_at <= p_at AND (s.expires_at IS NULL OR s.expires_at > p_at)
$$;
COMMENT ON FUNCTION payments.webhook_signature(bigint, bigint, text, timestamptz) IS
'The Mercato-Signature header of a request body for an endpoint: "t=<unix seconds>,v1=<hex>[,v1=<hex>]", one v1 per
secret valid at p_at (newest first): HMAC-SHA256 keyed with the secret over "<t>.<body>". During a rotation two v1
values: a receiver accepts the request when any of them matches a secret it holds. Internal.';

CREATE OR REPLACE FUNCTION payments.verify_webhook_signature(p_endpoint_id bigint, p_header text, p_body text,
                                                             p_at timestamptz DEFAULT now(),
                                                             p_tolerance_seconds integer DEFAULT 300)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_t    text := substring(p_header FROM '^t=([0-9]{1,12})(,|$)');
    v_sigs text[];
BEGIN
    IF v_t IS NULL OR abs(extract(epoch FROM p_at) - v_t::bigint) > p_tolerance_seconds THEN
        RETURN false;
    END IF;
    SELECT array_agg(m[1]) INTO v_sigs FROM regexp_matches(p_header, ',v1=([0-9a-f]{64})', 'g') AS m;
    RETURN EXISTS (
        SELECT 1 FROM payments.webhook_secret s
         WHERE s.endpoint_id = p_endpoint_id AND s.created_at <= p_at AND (s.expires_at IS NULL OR s.expires_at > p_at)
           AND encode(public.hmac(convert_to(v_t || '.' || p_body, 'UTF8'), convert_to(s.secret, 'UTF8'), 'sha256'), 'hex')
               = ANY (v_sigs));
END
$$;
COMMENT ON FUNCTION payments.verify_webhook_signature(bigint, text, text, timestamptz, integer) IS
'What a merchant''s receiver does, for the tests and the reference: true when the header''s timestamp is within
p_tolerance_seconds of p_at and one of its v1 signatures is the HMAC-SHA256 of "<t>.<body>" under a secret of the
endpoint valid at p_at. A body or signature changed by one byte, an old timestamp or an expired secret: false. Internal.';

-- endpoints -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.require_endpoint(p_endpoint_id bigint)
RETURNS payments.webhook_endpoint
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_endpoint payments.webhook_endpoint;
BEGIN
    SELECT * INTO v_endpoint FROM payments.webhook_endpoint WHERE id = p_endpoint_id;
    IF NOT FOUND OR NOT (identity.is_service() OR identity.acts_for(v_endpoint.organization_id, 'ADMIN')) THEN
        PERFORM identity.require_user();
        PERFORM core.raise('PAYMENTS_UNKNOWN_ENDPOINT', format('endpoint %s', p_endpoint_id));
    END IF;
    RETURN v_endpoint;
END
$$;
COMMENT ON FUNCTION payments.require_endpoint(bigint) IS
'The webhook endpoint, if the caller administers its merchant (ADMIN or OWNER) or is the back office. Errors:
IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_ENDPOINT (404, also for another merchant''s).';

CREATE OR REPLACE FUNCTION payments.create_webhook_endpoint(p_organization_id bigint, p_url text, p_event_types text[])
RETURNS TABLE (endpoint_id bigint, secret text)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    PERFORM payments.require_merchant(p_organization_id, 'ADMIN');
    v_actor := identity.current_actor();
    IF p_url IS NULL OR length(p_url) > 2048 OR p_url !~ '^https://[^\s/]+' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'url must be an https URL of at most 2048 characters');
    ELSIF p_event_types IS NULL OR cardinality(p_event_types) NOT BETWEEN 1 AND 64
          OR array_position(p_event_types, NULL) IS NOT NULL OR array_to_string(p_event_types, ',') !~ '^(\*|[a-z][a-z_]*\.[a-z][a-z_]*)(,(\*|[a-z][a-z_]*\.[a-z][a-z_]*))*$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'event_types: 1 to 64 event types such as invoice.paid, or *');
    END IF;
    INSERT INTO payments.webhook_endpoint (organization_id, url, event_types, created_by)
    VALUES (p_organization_id, p_url, p_event_types, v_actor.user_id)
    RETURNING id INTO endpoint_id;
    secret := payments.new_webhook_secret(endpoint_id);
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION payments.create_webhook_endpoint(bigint, text, text[]) IS
'A merchant''s ADMIN or OWNER (or the back office) adds a webhook endpoint: an https URL and the event types it receives
(* for all), ENABLED; returns its id and its signing secret, shown this once. Errors: PAYMENTS_UNKNOWN_MERCHANT,
PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.update_webhook_endpoint(p_endpoint_id bigint, p_url text DEFAULT NULL,
                                                            p_event_types text[] DEFAULT NULL, p_status text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.require_endpoint(p_endpoint_id);
    IF p_url IS NOT NULL AND (length(p_url) > 2048 OR p_url !~ '^https://[^\s/]+') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'url must be an https URL of at most 2048 characters');
    ELSIF p_event_types IS NOT NULL AND (cardinality(p_event_types) NOT BETWEEN 1 AND 64
          OR array_position(p_event_types, NULL) IS NOT NULL OR array_to_string(p_event_types, ',') !~ '^(\*|[a-z][a-z_]*\.[a-z][a-z_]*)(,(\*|[a-z][a-z_]*\.[a-z][a-z_]*))*$') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'event_types: 1 to 64 event types such as invoice.paid, or *');
    ELSIF p_status IS NOT NULL AND p_status NOT IN ('ENABLED', 'DISABLED') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'status must be ENABLED or DISABLED');
    END IF;
    UPDATE payments.webhook_endpoint
       SET url = coalesce(p_url, url), event_types = coalesce(p_event_types, event_types),
           status = coalesce(p_status, status), updated_at = now()
     WHERE id = p_endpoint_id;
END
$$;
COMMENT ON FUNCTION payments.update_webhook_endpoint(bigint, text, text[], text) IS
'Change an endpoint''s URL, event types or status (ENABLED, DISABLED: no new deliveries); NULL keeps a field. Its
merchant''s ADMIN or OWNER, the back office. Errors: PAYMENTS_UNKNOWN_ENDPOINT, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.rotate_webhook_secret(p_endpoint_id bigint, p_window_seconds integer DEFAULT 86400)
RETURNS TABLE (secret text, previous_expires_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.require_endpoint(p_endpoint_id);
    IF p_window_seconds IS NULL OR p_window_seconds NOT BETWEEN 0 AND 7 * 86400 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'the rotation window is 0 to 604800 seconds (7 days)');
    END IF;
    PERFORM 1 FROM payments.webhook_endpoint WHERE id = p_endpoint_id FOR UPDATE;   -- one rotation at a time
    previous_expires_at := now() + make_interval(secs => p_window_seconds);
    -- every secret still valid ends with the window (one already ending sooner keeps its end)
    UPDATE payments.webhook_secret s SET expires_at = previous_expires_at
     WHERE s.endpoint_id = p_endpoint_id AND (s.expires_at IS NULL OR s.expires_at > previous_expires_at);
    secret := payments.new_webhook_secret(p_endpoint_id);
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION payments.rotate_webhook_secret(bigint, integer) IS
'Rotate an endpoint''s signing secret: a new secret, returned once, signs from now on; the secrets valid until now stay
valid (and sign too) until now + p_window_seconds (0..7 days, 1 day by default), then only the new one does. Its
merchant''s ADMIN or OWNER, the back office. Errors: PAYMENTS_UNKNOWN_ENDPOINT, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.webhook_endpoints(p_organization_id bigint)
RETURNS TABLE (endpoint_id bigint, url text, event_types text[], status text, valid_secrets bigint,
               rotation_ends_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.require_merchant(p_organization_id, 'ADMIN');
    RETURN QUERY
    SELECT e.id, e.url, e.event_types, e.status,
           (SELECT count(*) FROM payments.webhook_secret s
             WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > now())),
           (SELECT max(s.expires_at) FROM payments.webhook_secret s
             WHERE s.endpoint_id = e.id AND s.expires_at > now()),
           e.created_at
      FROM payments.webhook_endpoint e
     WHERE e.organization_id = p_organization_id
     ORDER BY e.id;
END
$$;
COMMENT ON FUNCTION payments.webhook_endpoints(bigint) IS
'A merchant''s webhook endpoints, without secrets: how many secrets are valid now (2 during a rotation) and when the
rotation window ends. Its ADMIN or OWNER, the back office. Errors: PAYMENTS_UNKNOWN_MERCHANT.';

-- events and deliveries -----------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.deliver_merchant_event(p_event_id bigint, p_endpoint_id bigint)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e         payments.merchant_event;
    v_url     text;
    v_attempt integer;
    v_at      timestamptz := now();
    v_t       bigint := floor(extract(epoch FROM now()))::bigint;
    v_body    text;
    v_message bigint;
    v_id      bigint;
BEGIN
    SELECT * INTO e FROM payments.merchant_event WHERE id = p_event_id;
    SELECT url INTO v_url FROM payments.webhook_endpoint WHERE id = p_endpoint_id FOR UPDATE;   -- attempts in order
    SELECT coalesce(max(attempt), 0) + 1 INTO v_attempt FROM payments.webhook_delivery
     WHERE event_id = p_event_id AND endpoint_id = p_endpoint_id;
    v_body := jsonb_build_object('id', 'evt_' || e.id, 'type', e.event_type, 'object', e.object_type,
                                 'object_id', e.object_id, 'sequence', e.sequence, 'merchant_id', e.organization_id,
                                 'created', floor(extract(epoch FROM e.created_at))::bigint, 'attempt', v_attempt,
                                 'data', e.payload)::text;
    v_message := outbox.enqueue('WEBHOOK', v_url, 'payments.merchant_event',
        jsonb_build_object('method', 'POST', 'body', v_body, 'headers', jsonb_build_object(
            'Content-Type', 'application/json',
            'Mercato-Event-Id', 'evt_' || e.id,
            'Mercato-Event-Sequence', e.sequence::text,
            'Mercato-Signature', payments.webhook_signature(p_endpoint_id, v_t, v_body, v_at))),
        NULL, format('payments:merchant_event:%s:%s:%s', e.id, p_endpoint_id, v_attempt));
    INSERT INTO payments.webhook_delivery (event_id, endpoint_id, attempt, message_id, signed_at, created_by)
    VALUES (e.id, p_endpoint_id, v_attempt, v_message, to_timestamp(v_t), (identity.current_actor()).user_id)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION payments.deliver_merchant_event(bigint, bigint) IS
'Hand an event to one endpoint: the next attempt number (under the endpoint''s row lock), the JSON body (id, type,
object, object_id, sequence, merchant_id, created, attempt, data), one outbox message on channel WEBHOOK to the URL
with the headers Mercato-Event-Id, Mercato-Event-Sequence and Mercato-Signature (payments.webhook_signature at this
instant), dedupe key payments:merchant_event:<event>:<endpoint>:<attempt>; the delivery row. The outbox retries it with
backoff. Internal.';

CREATE OR REPLACE FUNCTION payments.emit_merchant_event(p_organization_id bigint, p_object_type text, p_object_id bigint,
                                                        p_event_type text, p_payload jsonb)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_event    bigint;
    v_endpoint bigint;
BEGIN
    IF p_object_type IS NULL OR p_object_type !~ '^[a-z][a-z_]{0,31}$' OR p_object_id IS NULL
       OR p_event_type IS NULL OR p_event_type !~ '^[a-z][a-z_]{0,31}\.[a-z][a-z_]{0,31}$'
       OR jsonb_typeof(p_payload) IS DISTINCT FROM 'object' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           'an event names its object type, object id, an event type such as invoice.paid and a JSON object');
    ELSIF NOT EXISTS (SELECT 1 FROM identity.organization WHERE id = p_organization_id AND kind = 'MERCHANT') THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_MERCHANT', format('merchant %s', p_organization_id));
    END IF;
    -- the object's counter row is locked until commit: its events are numbered 1, 2, 3 ... in commit order, no gaps
    INSERT INTO payments.merchant_event (organization_id, object_type, object_id, sequence, event_type, payload)
    VALUES (p_organization_id, p_object_type, p_object_id,
            core.next_number('payments.merchant_event', p_object_type || ':' || p_object_id), p_event_type, p_payload)
    RETURNING id INTO v_event;
    FOR v_endpoint IN
        SELECT e.id FROM payments.webhook_endpoint e
         WHERE e.organization_id = p_organization_id AND e.status = 'ENABLED'
           AND (p_event_type = ANY (e.event_types) OR '*' = ANY (e.event_types))
         ORDER BY e.id
    LOOP
        PERFORM payments.deliver_merchant_event(v_event, v_endpoint);
    END LOOP;
    RETURN v_event;
END
$$;
COMMENT ON FUNCTION payments.emit_merchant_event(bigint, text, bigint, text, jsonb) IS
'Record an event for a merchant about one of its objects and send it: the object''s next sequence number (gapless per
object: core.next_number under the counter row''s lock, held until commit), then one signed outbox message per ENABLED
endpoint of the merchant that takes the event type (payments.deliver_merchant_event), all in the caller''s transaction.
Returns the event id. Internal: the use cases call it (invoices here; intents, escrow, ... at integration). Errors:
PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_MERCHANT.';

CREATE OR REPLACE FUNCTION payments.replay_merchant_event(p_event_id bigint, p_endpoint_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e       payments.merchant_event;
    v_count bigint := 0;
    v_ep    bigint;
BEGIN
    SELECT * INTO e FROM payments.merchant_event WHERE id = p_event_id;
    IF NOT FOUND OR NOT (identity.is_service() OR identity.acts_for(e.organization_id, 'ADMIN')) THEN
        PERFORM identity.require_user();
        PERFORM core.raise('PAYMENTS_UNKNOWN_EVENT', format('event %s', p_event_id));
    END IF;
    IF p_endpoint_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM payments.webhook_endpoint WHERE id = p_endpoint_id
                                                                 AND organization_id = e.organization_id) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_ENDPOINT', format('endpoint %s', p_endpoint_id));
    END IF;
    FOR v_ep IN
        SELECT w.id FROM payments.webhook_endpoint w
         WHERE w.organization_id = e.organization_id
           AND (w.id = p_endpoint_id
                OR (p_endpoint_id IS NULL AND w.status = 'ENABLED'
                    AND (e.event_type = ANY (w.event_types) OR '*' = ANY (w.event_types))))
         ORDER BY w.id
    LOOP
        PERFORM payments.deliver_merchant_event(e.id, v_ep);
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION payments.replay_merchant_event(bigint, bigint) IS
'Send an event again, signed anew with the secrets valid now: to one endpoint of its merchant (whatever its status), or
to every ENABLED endpoint that takes its type; a new delivery (next attempt) each; returns how many. Its merchant''s
ADMIN or OWNER, the back office. Errors: PAYMENTS_UNKNOWN_EVENT, PAYMENTS_UNKNOWN_ENDPOINT.';

CREATE OR REPLACE FUNCTION payments.merchant_deliveries(p_organization_id bigint, p_object_type text DEFAULT NULL,
                                                        p_object_id bigint DEFAULT NULL, p_state text DEFAULT NULL,
                                                        p_before_event bigint DEFAULT NULL, p_limit integer DEFAULT 100)
RETURNS TABLE (event_id bigint, object_type text, object_id bigint, sequence bigint, event_type text,
               event_created_at timestamptz, endpoint_id bigint, attempt integer, message_id bigint, state text,
               tries integer, last_error text, next_attempt_at timestamptz, sent_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.require_merchant(p_organization_id, 'ADMIN');
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'limit must be 1 to 1000');
    END IF;
    RETURN QUERY
    SELECT e.id, e.object_type, e.object_id, e.sequence, e.event_type, e.created_at, d.endpoint_id, d.attempt,
           d.message_id, coalesce(m.state, CASE WHEN d.id IS NOT NULL THEN 'SENT' END), m.attempts, m.last_error,
           m.next_attempt_at, m.sent_at
      FROM payments.merchant_event e
      LEFT JOIN payments.webhook_delivery d ON d.event_id = e.id
      LEFT JOIN outbox.message m ON m.id = d.message_id
     WHERE e.organization_id = p_organization_id
       AND (p_object_type IS NULL OR e.object_type = p_object_type)
       AND (p_object_id IS NULL OR e.object_id = p_object_id)
       AND (p_before_event IS NULL OR e.id < p_before_event)
       AND (p_state IS NULL OR coalesce(m.state, CASE WHEN d.id IS NOT NULL THEN 'SENT' END) = p_state)
     ORDER BY e.id DESC, d.endpoint_id, d.attempt
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION payments.merchant_deliveries(bigint, text, bigint, text, bigint, integer) IS
'A merchant''s events, newest first (keyset: before p_before_event), each with its deliveries: endpoint, attempt, and
the outbox message''s state (PENDING, SENDING, SENT, FAILED, DEAD; SENT once retention deleted it), tries, last error
and next attempt: the list to replay from. Filters: object, state. Its ADMIN or OWNER, the back office. Errors:
PAYMENTS_UNKNOWN_MERCHANT, PAYMENTS_INVALID_INPUT.';

REVOKE ALL ON FUNCTION payments.new_webhook_secret(bigint), payments.webhook_signature(bigint, bigint, text, timestamptz),
    payments.verify_webhook_signature(bigint, text, text, timestamptz, integer), payments.require_endpoint(bigint),
    payments.create_webhook_endpoint(bigint, text, text[]), payments.update_webhook_endpoint(bigint, text, text[], text),
    payments.rotate_webhook_secret(bigint, integer), payments.webhook_endpoints(bigint),
    payments.deliver_merchant_event(bigint, bigint), payments.emit_merchant_event(bigint, text, bigint, text, jsonb),
    payments.replay_merchant_event(bigint, bigint),
    payments.merchant_deliveries(bigint, text, bigint, text, bigint, integer) FROM PUBLIC;

COMMIT;
