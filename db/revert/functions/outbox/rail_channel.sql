-- Revert mercato:functions/outbox/rail_channel from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

ALTER TABLE outbox.message DROP CONSTRAINT message_channel_check;
ALTER TABLE outbox.message ADD CONSTRAINT message_channel_check
    CHECK (channel IN ('SMS', 'EMAIL', 'WHATSAPP', 'WEBHOOK')) NOT VALID;
ALTER TABLE outbox.message VALIDATE CONSTRAINT message_channel_check;

CREATE OR REPLACE FUNCTION outbox.enqueue(p_channel text, p_recipient text, p_template text,
                                          p_params jsonb DEFAULT '{}', p_secret jsonb DEFAULT NULL,
                                          p_dedupe_key text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_channel  text := upper(p_channel);
    v_params   jsonb := coalesce(p_params, '{}');
    v_id       bigint;
    v_old      outbox.message;
    v_secret   jsonb;
BEGIN
    IF v_channel IS NULL OR v_channel NOT IN ('SMS', 'EMAIL', 'WHATSAPP', 'WEBHOOK') THEN
        PERFORM core.raise('OUTBOX_INVALID_MESSAGE', format('channel %s is not SMS, EMAIL, WHATSAPP or WEBHOOK', p_channel));
    ELSIF (length(p_recipient) BETWEEN 1 AND 1000) IS NOT TRUE THEN
        PERFORM core.raise('OUTBOX_INVALID_MESSAGE', 'recipient must be 1 to 1,000 characters');
    ELSIF (length(p_template) BETWEEN 1 AND 1000) IS NOT TRUE THEN
        PERFORM core.raise('OUTBOX_INVALID_MESSAGE', 'template must be 1 to 1,000 characters');
    ELSIF jsonb_typeof(v_params) <> 'object' THEN
        PERFORM core.raise('OUTBOX_INVALID_MESSAGE', 'params must be a JSON object');
    ELSIF p_secret IS NOT NULL AND jsonb_typeof(p_secret) <> 'object' THEN
        PERFORM core.raise('OUTBOX_INVALID_MESSAGE', 'secret must be a JSON object');
    ELSIF p_dedupe_key IS NOT NULL AND (length(p_dedupe_key) BETWEEN 1 AND 256) IS NOT TRUE THEN
        PERFORM core.raise('OUTBOX_INVALID_MESSAGE', 'dedupe key must be 1 to 256 characters');
    END IF;

    INSERT INTO outbox.message (tenant_id, channel, recipient, template, params, dedupe_key)
    VALUES (p_tenant_id, v_channel, p_recipient, p_template, v_params, p_dedupe_key)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NOT NULL THEN
        IF p_secret IS NOT NULL THEN
            INSERT INTO outbox.message_secret (message_id, secret) VALUES (v_id, p_secret);
        END IF;
        RETURN v_id;
    END IF;

    -- The key exists (committed, or committed by the transaction we waited for): the same message, or a refusal.
    SELECT * INTO v_old FROM outbox.message m WHERE m.dedupe_key = p_dedupe_key FOR SHARE;
    SELECT s.secret INTO v_secret FROM outbox.message_secret s WHERE s.message_id = v_old.id;
    IF (v_old.channel, v_old.recipient, v_old.template, v_old.params, v_old.tenant_id)
       IS DISTINCT FROM (v_channel, p_recipient, p_template, v_params, p_tenant_id)
       OR (v_old.state NOT IN ('SENT', 'DEAD') AND v_secret IS DISTINCT FROM p_secret) THEN
        PERFORM core.raise('OUTBOX_DEDUPE_CONFLICT', format('dedupe key %s is message %s', p_dedupe_key, v_old.id));
    END IF;
    RETURN v_old.id;
END
$$;
COMMENT ON FUNCTION outbox.enqueue(text, text, text, jsonb, jsonb, text, bigint) IS
'Enqueue a message to send; returns its id. Called by other modules'' functions in the same transaction as the fact
that caused the message, so the message exists exactly when the fact does (a rollback takes both).
p_channel SMS, EMAIL, WHATSAPP or WEBHOOK (any case); p_recipient a phone number, address or URL; p_template the
template''s name (the sender''s adapter maps it to the provider''s template) and p_params its parameters (a JSON
object); p_secret an object delivered to the sender only (an OTP code, a reset token), kept in outbox.message_secret
and deleted once SENT or DEAD; p_dedupe_key makes it idempotent: the same key with the same payload returns the
existing message (also after it was sent; while unsent the secret must match too), another payload under the same key
is refused with OUTBOX_DEDUPE_CONFLICT (include the tenant or module in the key, e.g. identity:verify:user:42).
p_tenant_id the tenant where applicable. Errors: OUTBOX_INVALID_MESSAGE, OUTBOX_DEDUPE_CONFLICT. No API role executes
it. Assumes READ COMMITTED (a concurrent enqueue of the same key waits for the first and then compares).';

CREATE OR REPLACE FUNCTION outbox.claim(p_channel text, p_limit integer DEFAULT 10, p_lease_seconds integer DEFAULT 60,
                                        p_worker text DEFAULT NULL)
RETURNS TABLE (id bigint, tenant_id bigint, channel text, recipient text, template text, params jsonb, secret jsonb,
               attempts integer, lease_token uuid, lease_until timestamptz)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_token uuid := gen_random_uuid();
    v_max   integer := masterdata.setting_number('OUTBOX_MAX_ATTEMPTS')::integer;
BEGIN
    PERFORM outbox.require_sender();
    IF upper(p_channel) NOT IN ('SMS', 'EMAIL', 'WHATSAPP', 'WEBHOOK') OR p_channel IS NULL THEN
        PERFORM core.raise('OUTBOX_INVALID_MESSAGE', format('channel %s is not SMS, EMAIL, WHATSAPP or WEBHOOK', p_channel));
    ELSIF (p_limit BETWEEN 1 AND 10000) IS NOT TRUE OR (p_lease_seconds BETWEEN 1 AND 86400) IS NOT TRUE THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_limit is 1 to 10,000 and p_lease_seconds 1 to 86,400');
    END IF;
    RETURN QUERY
    WITH picked AS (
        SELECT m.id
          FROM outbox.message m
         WHERE m.channel = upper(p_channel) AND m.due_at <= now()
           AND (m.state <> 'SENDING' OR m.attempts < v_max)   -- a lease expired too often: the reclaim job ends it
         ORDER BY m.due_at, m.id
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE outbox.message m
           SET state = 'SENDING', attempts = m.attempts + 1, lease_token = v_token,
               lease_worker = left(p_worker, 256), lease_until = now() + make_interval(secs => p_lease_seconds)
          FROM picked
         WHERE m.id = picked.id
        RETURNING m.id, m.tenant_id, m.channel, m.recipient, m.template, m.params, m.attempts, m.lease_token,
                  m.lease_until
    )
    SELECT c.id, c.tenant_id, c.channel, c.recipient, c.template, c.params, s.secret, c.attempts, c.lease_token,
           c.lease_until
      FROM claimed c LEFT JOIN outbox.message_secret s ON s.message_id = c.id
     ORDER BY c.id;
END
$$;
COMMENT ON FUNCTION outbox.claim(text, integer, integer, text) IS
'Claim up to p_limit (1 to 10,000) due messages of a channel for p_lease_seconds: they become SENDING under a new lease
token (one per call), their attempt count goes up, and each comes back with its secret. Due: PENDING or FAILED whose
next attempt time has come, and SENDING whose lease expired (its sender died: the message is claimed again, nothing is
lost). Oldest due first; rows another sender is claiming are skipped (FOR UPDATE SKIP LOCKED), so concurrent senders
never wait for each other nor claim the same message under a live lease. Report each message with
outbox.report_sent / report_failed and the lease token. Errors: OUTBOX_NOT_SENDER, OUTBOX_INVALID_MESSAGE,
CORE_INVALID_ARGUMENT. Senders only. Assumes READ COMMITTED; takes no lock it waits for.';

COMMIT;
