-- Deploy mercato:schemas/outbox to pg
-- Kernel: the outbox (issue 17). Messages to send (SMS, e-mail, WhatsApp, webhooks) are written by other modules'
-- functions in the same transaction as the fact that caused them (outbox.enqueue), and senders consume them with
-- FOR UPDATE SKIP LOCKED under a lease (api.outbox_claim / outbox_report_sent / outbox_report_failed). Knows no product.
-- A message's secret (an OTP code, a reset token) lives apart in outbox.message_secret, readable by no role but the
-- owner (the sender gets it from api.outbox_claim while the message is SENDING) and deleted when the message is SENT
-- or DEAD. The sender role mercato_sender is cluster-wide like the API roles (db/roles.sql); a revert never drops it.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- The senders' role: NOLOGIN, granted to the login role of each sender process. Created by the deployer only where it
-- is missing (mercato db roles creates it beforehand, so a deployer without CREATEROLE deploys this change).
-- The first module added after schemas/core/owner creates a schema: mercato_owner needs CREATE on the database, which
-- the deployer grants where it is missing (docs/operations.md, "Ownership"); a revert keeps it for later modules.
DO $role$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'mercato_sender') THEN
        SET LOCAL ROLE NONE;   -- the deployer itself, for this statement only
        CREATE ROLE mercato_sender NOLOGIN;
        SET LOCAL ROLE mercato_owner;
    END IF;
    IF NOT has_database_privilege('mercato_owner', current_database(), 'CREATE') THEN
        SET LOCAL ROLE NONE;   -- the deployer itself, for this statement only
        EXECUTE format('GRANT CREATE ON DATABASE %I TO mercato_owner', current_database());
        SET LOCAL ROLE mercato_owner;
    END IF;
END
$role$;

CREATE SCHEMA outbox;
COMMENT ON SCHEMA outbox IS
'Kernel: messages to send (SMS, e-mail, WhatsApp, webhooks), written with the fact that caused them (outbox.enqueue,
called by other modules'' SECURITY DEFINER functions) and delivered at least once by senders (role mercato_sender)
that claim them with FOR UPDATE SKIP LOCKED under a lease. Knows no product. No API role reads anything here: the back
office lists and retries through api.outbox_list / api.outbox_retry (docs/outbox.md).';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('OUTBOX_INVALID_MESSAGE', 'outbox', 'PT400', 'the message is malformed', NULL,
 'outbox.enqueue: the channel is one of SMS, EMAIL, WHATSAPP, WEBHOOK; recipient and template 1 to 1,000 characters; '
 'params and secret JSON objects; a dedupe key 1 to 256 characters. The detail names the field.'),
('OUTBOX_DEDUPE_CONFLICT', 'outbox', 'PT409', 'another message was enqueued under this dedupe key',
 'use a new key for a new message; the same key with the same payload returns the existing message',
 'outbox.enqueue: a message with this dedupe key exists with another channel, recipient, template, parameters, '
 'tenant or (while it is not yet sent) secret. Nothing was written.'),
('OUTBOX_UNKNOWN_MESSAGE', 'outbox', 'PT404', 'no such outbox message', NULL,
 'No message has this id.'),
('OUTBOX_INVALID_TRANSITION', 'outbox', 'PT409', 'the message cannot move to that state',
 'a DEAD or FAILED message can be retried; a SENT one is final',
 'Allowed: PENDING -> SENDING; SENDING -> SENT, FAILED, DEAD, SENDING (an expired lease reclaimed); FAILED -> SENDING, '
 'PENDING, DEAD; DEAD -> PENDING (retry). A SENT message never changes. Enforced by the trigger message_transition '
 'whoever writes.'),
('OUTBOX_LEASE_LOST', 'outbox', 'PT409', 'the sender no longer holds the message''s lease',
 'the lease expired and the message was claimed again or reclaimed; drop the result, another attempt owns it',
 'api.outbox_report_sent / outbox_report_failed: the message is not SENDING under the lease token the claim gave '
 'this sender. Nothing was written.'),
('OUTBOX_NOT_SENDER', 'outbox', 'PT403', 'only a sender may claim and report messages',
 'connect as a login role granted mercato_sender',
 'The caller''s role is not mercato_sender (nor a role that inherits it).'),
('OUTBOX_NOT_BACK_OFFICE', 'outbox', 'PT403', 'only the back office may list or retry outbox messages', NULL,
 'api.outbox_list / api.outbox_retry: the caller is not mercato_service.');

INSERT INTO masterdata.setting (key, value_type, value, min_value, max_value, description) VALUES
('OUTBOX_MAX_ATTEMPTS', 'NUMBER', '8', 1, 100,
 'Delivery attempts (claims) of an outbox message before a failure makes it DEAD.'),
('OUTBOX_BACKOFF_BASE_SECONDS', 'NUMBER', '30', 1, 86400,
 'Wait before the first retry of a failed outbox message; doubled for each further attempt.'),
('OUTBOX_BACKOFF_MAX_SECONDS', 'NUMBER', '3600', 1, 604800,
 'Longest wait between two attempts of an outbox message (the cap of the exponential backoff).'),
('OUTBOX_RETENTION_DAYS', 'NUMBER', '0', 0, 3650,
 'Days SENT outbox messages are kept; the job outbox.retention deletes older ones. 0 keeps everything.');

CREATE TABLE outbox.message (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT message_pkey PRIMARY KEY,
    tenant_id       bigint CONSTRAINT message_tenant_id_fkey REFERENCES identity.tenant (id),
    channel         text NOT NULL
                    CONSTRAINT message_channel_check CHECK (channel IN ('SMS', 'EMAIL', 'WHATSAPP', 'WEBHOOK')),
    recipient       text NOT NULL CONSTRAINT message_recipient_check CHECK (length(recipient) BETWEEN 1 AND 1000),
    template        text NOT NULL CONSTRAINT message_template_check CHECK (length(template) BETWEEN 1 AND 1000),
    params          jsonb NOT NULL DEFAULT '{}' CONSTRAINT message_params_check CHECK (jsonb_typeof(params) = 'object'),
    dedupe_key      text CONSTRAINT message_dedupe_key_key UNIQUE
                    CONSTRAINT message_dedupe_key_check CHECK (length(dedupe_key) BETWEEN 1 AND 256),
    state           text NOT NULL DEFAULT 'PENDING'
                    CONSTRAINT message_state_check CHECK (state IN ('PENDING', 'SENDING', 'SENT', 'FAILED', 'DEAD')),
    attempts        integer NOT NULL DEFAULT 0 CONSTRAINT message_attempts_check CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    lease_token     uuid,
    lease_worker    text,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    secret_redacted_at timestamptz,
    -- when the message is next due to a sender: next_attempt_at while PENDING or FAILED, the lease's end while
    -- SENDING (an expired lease is claimed again), none once SENT or DEAD. The claim index reads this flag, not state.
    due_at          timestamptz GENERATED ALWAYS AS (CASE WHEN state IN ('PENDING', 'FAILED') THEN next_attempt_at
                                                          WHEN state = 'SENDING' THEN lease_until END) STORED,
    CONSTRAINT message_lease_check CHECK ((state = 'SENDING') = (lease_until IS NOT NULL)
                                          AND (state <> 'SENDING' OR lease_token IS NOT NULL)),
    CONSTRAINT message_sent_at_check CHECK ((state = 'SENT') = (sent_at IS NOT NULL))
) WITH (fillfactor = 80);
COMMENT ON TABLE outbox.message IS
'A message to send: channel (SMS, EMAIL, WHATSAPP, WEBHOOK), recipient, template name and its parameters, an optional
dedupe key (enqueueing it again returns this message), its state PENDING -> SENDING -> SENT, or FAILED (retried after
a backoff) and DEAD (after OUTBOX_MAX_ATTEMPTS or a permanent failure), attempts (claims so far), the lease of the
sender holding it while SENDING (token, worker, until), the last error. Written only by outbox functions; the trigger
message_transition refuses a state change outside the allowed ones (OUTBOX_INVALID_TRANSITION). Its secret, if any, is
in outbox.message_secret until SENT or DEAD (secret_redacted_at says when it was deleted). No API role reads it.';
COMMENT ON COLUMN outbox.message.due_at IS
'When a sender may claim the message (generated): next_attempt_at while PENDING or FAILED, lease_until while SENDING,
NULL once SENT or DEAD. The claim index message_channel_due_at_idx reads it.';
-- The claim: per channel, oldest due first. Its predicate reads the generated due_at, never state (CONVENTIONS.md).
CREATE INDEX message_channel_due_at_idx ON outbox.message (channel, due_at) WHERE due_at IS NOT NULL;
CREATE INDEX message_tenant_id_idx ON outbox.message (tenant_id) WHERE tenant_id IS NOT NULL;

CREATE TABLE outbox.message_secret (
    message_id bigint CONSTRAINT message_secret_pkey PRIMARY KEY
               CONSTRAINT message_secret_message_id_fkey REFERENCES outbox.message (id) ON DELETE CASCADE,
    secret     jsonb NOT NULL CONSTRAINT message_secret_secret_check CHECK (jsonb_typeof(secret) = 'object')
);
COMMENT ON TABLE outbox.message_secret IS
'The secret part of a message (an OTP code, a reset token), kept apart from outbox.message so that listing messages
never reads it. No role but the owner holds a privilege; the sender receives it from api.outbox_claim with the message
it claimed (SENDING). Deleted when the message reaches SENT or DEAD (trigger message_transition).';

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('outbox', 'message_secret', 'secret', 'SECRET',
 'an OTP code or token to deliver: only the sender that claimed the message receives it, deleted once SENT or DEAD');

REVOKE ALL ON outbox.message, outbox.message_secret FROM PUBLIC;

COMMIT;
