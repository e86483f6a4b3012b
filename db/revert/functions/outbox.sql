-- Revert mercato:functions/outbox from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION outbox.purge_sent(integer);
DROP FUNCTION outbox.reclaim_expired(integer);
DROP FUNCTION outbox.retry(bigint);
DROP FUNCTION outbox.list_messages(text, text, integer);
DROP FUNCTION outbox.report_failed(bigint, uuid, text, boolean);
DROP FUNCTION outbox.report_sent(bigint, uuid);
DROP FUNCTION outbox.claim(text, integer, integer, text);
DROP FUNCTION outbox.require_sender();
DROP FUNCTION outbox.enqueue(text, text, text, jsonb, jsonb, text, bigint);
DROP TRIGGER message_transition ON outbox.message;
DROP FUNCTION outbox.message_transition_trg();

COMMIT;
