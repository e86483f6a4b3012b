-- Deploy mercato:functions/outbox to pg
-- The outbox's use cases: enqueue (other modules, in the transaction of the fact), claim and report (senders),
-- list and retry (back office), reclaim expired leases and purge old SENT messages (jobs, functions/outbox/jobs).
-- The state machine is the trigger message_transition: whoever writes, only the allowed transitions pass, and the
-- secret of a message is deleted when it reaches SENT or DEAD.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION outbox.message_transition_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'PENDING' THEN
            PERFORM core.raise('OUTBOX_INVALID_TRANSITION', format('a message starts PENDING, not %s', NEW.state));
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.state = 'SENT' OR (OLD.state IS DISTINCT FROM NEW.state AND (OLD.state, NEW.state) NOT IN (
           ('PENDING', 'SENDING'),
           ('SENDING', 'SENT'), ('SENDING', 'FAILED'), ('SENDING', 'DEAD'),
           ('FAILED', 'SENDING'), ('FAILED', 'PENDING'), ('FAILED', 'DEAD'),
           ('DEAD', 'PENDING'))) THEN
        PERFORM core.raise('OUTBOX_INVALID_TRANSITION', format('message %s: %s -> %s', OLD.id, OLD.state, NEW.state));
    END IF;
    IF NEW.state IN ('SENT', 'DEAD') AND OLD.state IS DISTINCT FROM NEW.state THEN
        DELETE FROM outbox.message_secret s WHERE s.message_id = NEW.id;
        IF FOUND THEN
            NEW.secret_redacted_at := now();
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION outbox.message_transition_trg() IS
'Trigger on outbox.message (BEFORE INSERT OR UPDATE): a message starts PENDING; a state changes only along PENDING ->
SENDING; SENDING -> SENT, FAILED, DEAD (or SENDING again: an expired lease claimed); FAILED -> SENDING, PENDING, DEAD;
DEAD -> PENDING (retry); a SENT message never changes. Anything else raises OUTBOX_INVALID_TRANSITION, whoever writes
(the owner included). On SENT and DEAD it deletes the message''s secret (outbox.message_secret) and stamps
secret_redacted_at.';

CREATE TRIGGER message_transition BEFORE INSERT OR UPDATE ON outbox.message
    FOR EACH ROW EXECUTE FUNCTION outbox.message_transition_trg();

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

CREATE OR REPLACE FUNCTION outbox.require_sender()
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT pg_has_role(identity.caller_role(), 'mercato_sender', 'USAGE') THEN
        PERFORM core.raise('OUTBOX_NOT_SENDER', format('role %s', identity.caller_role()));
    END IF;
END
$$;
COMMENT ON FUNCTION outbox.require_sender() IS
'Raise OUTBOX_NOT_SENDER unless the request runs as mercato_sender (or a role that inherits it, or a superuser),
read with identity.caller_role() so that it holds inside SECURITY DEFINER functions.';

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

CREATE OR REPLACE FUNCTION outbox.report_sent(p_id bigint, p_lease uuid)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_state text;
    v_lease uuid;
BEGIN
    PERFORM outbox.require_sender();
    UPDATE outbox.message m SET state = 'SENT', sent_at = now(), lease_until = NULL
     WHERE m.id = p_id AND m.state = 'SENDING' AND m.lease_token = p_lease;
    IF FOUND THEN
        RETURN true;
    END IF;
    SELECT m.state, m.lease_token INTO v_state, v_lease FROM outbox.message m WHERE m.id = p_id;
    IF NOT FOUND THEN
        PERFORM core.raise('OUTBOX_UNKNOWN_MESSAGE', format('message %s', p_id));
    ELSIF v_state = 'SENT' AND v_lease = p_lease THEN
        RETURN false;   -- this sender's report was already recorded (a retried call): nothing changes
    END IF;
    PERFORM core.raise('OUTBOX_LEASE_LOST', format('message %s is %s under another lease', p_id, v_state));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION outbox.report_sent(bigint, uuid) IS
'Record that the provider accepted message p_id, claimed under lease p_lease: SENDING -> SENT, its secret deleted.
Returns true; false when this same lease already reported it (a retried call changes nothing). Refused with
OUTBOX_LEASE_LOST when the message is no longer SENDING under that lease (it expired and another claim owns it), so a
message is SENT by exactly one report. Errors: OUTBOX_NOT_SENDER, OUTBOX_UNKNOWN_MESSAGE, OUTBOX_LEASE_LOST. Senders
only. Assumes READ COMMITTED; one conditional UPDATE by id.';

CREATE OR REPLACE FUNCTION outbox.report_failed(p_id bigint, p_lease uuid, p_error text, p_retryable boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_max   integer := masterdata.setting_number('OUTBOX_MAX_ATTEMPTS')::integer;
    v_base  numeric := masterdata.setting_number('OUTBOX_BACKOFF_BASE_SECONDS');
    v_cap   numeric := masterdata.setting_number('OUTBOX_BACKOFF_MAX_SECONDS');
    v_state text;
BEGIN
    PERFORM outbox.require_sender();
    UPDATE outbox.message m
       SET state = CASE WHEN p_retryable IS NOT TRUE OR m.attempts >= v_max THEN 'DEAD' ELSE 'FAILED' END,
           next_attempt_at = now() + make_interval(secs => least(v_base * power(2::numeric, least(m.attempts - 1, 40)), v_cap)),
           last_error = left(coalesce(p_error, 'unknown error'), 2000), lease_until = NULL
     WHERE m.id = p_id AND m.state = 'SENDING' AND m.lease_token = p_lease
    RETURNING m.state INTO v_state;
    IF FOUND THEN
        RETURN v_state;
    END IF;
    IF NOT EXISTS (SELECT FROM outbox.message m WHERE m.id = p_id) THEN
        PERFORM core.raise('OUTBOX_UNKNOWN_MESSAGE', format('message %s', p_id));
    END IF;
    PERFORM core.raise('OUTBOX_LEASE_LOST', format('message %s', p_id));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION outbox.report_failed(bigint, uuid, text, boolean) IS
'Record that sending message p_id (claimed under lease p_lease) failed with p_error: FAILED, next attempt after
OUTBOX_BACKOFF_BASE_SECONDS * 2^(attempts - 1), capped at OUTBOX_BACKOFF_MAX_SECONDS; DEAD (secret deleted) when
p_retryable is false or the message has had OUTBOX_MAX_ATTEMPTS attempts. Returns the new state. Refused with
OUTBOX_LEASE_LOST when the message is no longer SENDING under that lease. Errors: OUTBOX_NOT_SENDER,
OUTBOX_UNKNOWN_MESSAGE, OUTBOX_LEASE_LOST. Senders only. Assumes READ COMMITTED; one conditional UPDATE by id.';

CREATE OR REPLACE FUNCTION outbox.list_messages(p_state text DEFAULT NULL, p_channel text DEFAULT NULL,
                                                p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, tenant_id bigint, channel text, recipient text, template text, params jsonb, dedupe_key text,
               state text, attempts integer, next_attempt_at timestamptz, last_error text, lease_worker text,
               lease_until timestamptz, created_at timestamptz, sent_at timestamptz, has_secret boolean)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT identity.is_service() THEN
        PERFORM core.raise('OUTBOX_NOT_BACK_OFFICE', format('role %s', identity.caller_role()));
    END IF;
    RETURN QUERY
    SELECT m.id, m.tenant_id, m.channel, m.recipient, m.template, m.params, m.dedupe_key, m.state, m.attempts,
           m.next_attempt_at, m.last_error, m.lease_worker, m.lease_until, m.created_at, m.sent_at,
           EXISTS (SELECT FROM outbox.message_secret s WHERE s.message_id = m.id)
      FROM outbox.message m
     WHERE (p_state IS NULL OR m.state = upper(p_state)) AND (p_channel IS NULL OR m.channel = upper(p_channel))
     ORDER BY m.id DESC
     LIMIT least(greatest(coalesce(p_limit, 100), 1), 1000);
END
$$;
COMMENT ON FUNCTION outbox.list_messages(text, text, integer) IS
'The latest outbox messages (newest first, at most 1,000), optionally of one state and channel: everything but the
secret and the lease token (has_secret says whether a secret is still stored). Errors: OUTBOX_NOT_BACK_OFFICE. The
back office only.';

CREATE OR REPLACE FUNCTION outbox.retry(p_id bigint)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_msg outbox.message;
BEGIN
    IF NOT identity.is_service() THEN
        PERFORM core.raise('OUTBOX_NOT_BACK_OFFICE', format('role %s', identity.caller_role()));
    END IF;
    SELECT * INTO v_msg FROM outbox.message m WHERE m.id = p_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('OUTBOX_UNKNOWN_MESSAGE', format('message %s', p_id));
    ELSIF v_msg.state NOT IN ('FAILED', 'DEAD') THEN
        PERFORM core.raise('OUTBOX_INVALID_TRANSITION', format('message %s is %s; only FAILED and DEAD are retried',
                                                               p_id, v_msg.state));
    ELSIF v_msg.secret_redacted_at IS NOT NULL THEN
        PERFORM core.raise('OUTBOX_INVALID_TRANSITION',
                           format('message %s: its secret was deleted when it died; enqueue a new message', p_id));
    END IF;
    UPDATE outbox.message m SET state = 'PENDING', attempts = 0, next_attempt_at = now() WHERE m.id = p_id;
    RETURN 'PENDING';
END
$$;
COMMENT ON FUNCTION outbox.retry(bigint) IS
'Send a FAILED or DEAD message again: PENDING, due now, attempts back to 0 (last_error kept). A DEAD message whose
secret was deleted cannot be retried (enqueue a new one with a new secret). Returns the new state. Errors:
OUTBOX_NOT_BACK_OFFICE, OUTBOX_UNKNOWN_MESSAGE, OUTBOX_INVALID_TRANSITION. The back office only. Assumes READ
COMMITTED; locks the one row.';

CREATE OR REPLACE FUNCTION outbox.reclaim_expired(p_limit integer DEFAULT 10000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_max   integer := masterdata.setting_number('OUTBOX_MAX_ATTEMPTS')::integer;
    v_count integer;
BEGIN
    WITH expired AS (
        SELECT m.id FROM outbox.message m
         WHERE m.due_at < now() AND m.state = 'SENDING'
         ORDER BY m.id
         LIMIT greatest(coalesce(p_limit, 10000), 1)
           FOR UPDATE SKIP LOCKED
    )
    UPDATE outbox.message m
       SET state = CASE WHEN m.attempts >= v_max THEN 'DEAD' ELSE 'FAILED' END, next_attempt_at = now(),
           last_error = format('lease of %s expired at %s', coalesce(m.lease_worker, 'a sender'), m.lease_until),
           lease_until = NULL
      FROM expired WHERE m.id = expired.id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION outbox.reclaim_expired(integer) IS
'Messages left SENDING past their lease (the sender died) become FAILED and due at once, or DEAD when they have had
OUTBOX_MAX_ATTEMPTS attempts (a message that kills its senders does not loop for ever); at most p_limit a run.
Returns how many. A claim already takes expired leases back by itself; this job keeps the states true for channels
without a live sender. The function of the job outbox.reclaim_expired. Owner only. Assumes READ COMMITTED; skips
rows a sender holds.';

CREATE OR REPLACE FUNCTION outbox.purge_sent(p_keep_days integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_keep  integer := coalesce(p_keep_days, masterdata.setting_number('OUTBOX_RETENTION_DAYS')::integer);
    v_count integer;
BEGIN
    IF v_keep IS NULL OR v_keep < 0 OR v_keep > 3650 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_keep_days must be between 0 and 3650 (0 keeps everything)');
    END IF;
    IF v_keep = 0 THEN
        RETURN 0;
    END IF;
    DELETE FROM outbox.message m
     WHERE m.id IN (SELECT x.id FROM outbox.message x
                     WHERE x.state = 'SENT' AND x.sent_at < now() - make_interval(days => v_keep)
                     ORDER BY x.id LIMIT 50000);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION outbox.purge_sent(integer) IS
'Delete SENT messages sent more than p_keep_days (default: the setting OUTBOX_RETENTION_DAYS) days ago, at most 50,000
a run; 0 (the default) keeps everything. Returns how many. Retention, not a business fact: FAILED and DEAD messages are
kept for the back office. The function of the job outbox.retention. Errors: CORE_INVALID_ARGUMENT. Owner only.';

COMMIT;
