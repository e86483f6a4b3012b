-- Deploy mercato:functions/api/outbox to pg
-- The outbox's entry points: senders (role mercato_sender) claim and report; the back office (mercato_service) lists
-- and retries. Thin SECURITY DEFINER wrappers; the outbox functions check the caller's role themselves. outbox.enqueue
-- has no wrapper: only other modules' functions enqueue, with the fact that causes the message.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- The sender converts its text arguments to the core domains as itself: their CHECK function must be executable.
GRANT USAGE ON SCHEMA api TO mercato_sender;
GRANT EXECUTE ON FUNCTION core.check_text_size(text, integer, text) TO mercato_sender;

CREATE OR REPLACE FUNCTION api.outbox_claim(p_channel core.name_text, p_limit integer DEFAULT 10,
                                            p_lease_seconds integer DEFAULT 60, p_worker core.name_text DEFAULT NULL)
RETURNS TABLE (id bigint, tenant_id bigint, channel text, recipient text, template text, params jsonb, secret jsonb,
               attempts integer, lease_token uuid, lease_until timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.id, c.tenant_id, c.channel, c.recipient, c.template, c.params, c.secret, c.attempts, c.lease_token,
           c.lease_until
      FROM outbox.claim(p_channel, p_limit, p_lease_seconds, p_worker) c;
END;
SELECT core.wrap('api.outbox_claim(core.name_text, integer, integer, core.name_text)',
                 'outbox.claim(text, integer, integer, text)', 'A sender (mercato_sender).', 'mercato_sender');

CREATE OR REPLACE FUNCTION api.outbox_report_sent(p_id bigint, p_lease uuid)
RETURNS boolean LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN outbox.report_sent(p_id, p_lease);
SELECT core.wrap('api.outbox_report_sent(bigint, uuid)', 'outbox.report_sent(bigint, uuid)',
                 'A sender (mercato_sender).', 'mercato_sender');

CREATE OR REPLACE FUNCTION api.outbox_report_failed(p_id bigint, p_lease uuid, p_error core.long_text,
                                                    p_retryable boolean DEFAULT true)
RETURNS text LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN outbox.report_failed(p_id, p_lease, p_error, p_retryable);
SELECT core.wrap('api.outbox_report_failed(bigint, uuid, core.long_text, boolean)',
                 'outbox.report_failed(bigint, uuid, text, boolean)', 'A sender (mercato_sender).', 'mercato_sender');

CREATE OR REPLACE FUNCTION api.outbox_list(p_state core.name_text DEFAULT NULL, p_channel core.name_text DEFAULT NULL,
                                           p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, tenant_id bigint, channel text, recipient text, template text, params jsonb, dedupe_key text,
               state text, attempts integer, next_attempt_at timestamptz, last_error text, lease_worker text,
               lease_until timestamptz, created_at timestamptz, sent_at timestamptz, has_secret boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.tenant_id, l.channel, l.recipient, l.template, l.params, l.dedupe_key, l.state, l.attempts,
           l.next_attempt_at, l.last_error, l.lease_worker, l.lease_until, l.created_at, l.sent_at, l.has_secret
      FROM outbox.list_messages(p_state, p_channel, p_limit) l;
END;
SELECT core.wrap('api.outbox_list(core.name_text, core.name_text, integer)', 'outbox.list_messages(text, text, integer)',
                 'The back office.', 'mercato_service');

CREATE OR REPLACE FUNCTION api.outbox_retry(p_id bigint)
RETURNS text LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN outbox.retry(p_id);
SELECT core.wrap('api.outbox_retry(bigint)', 'outbox.retry(bigint)', 'The back office.', 'mercato_service');

COMMIT;
