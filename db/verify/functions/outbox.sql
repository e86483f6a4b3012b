-- Verify mercato:functions/outbox on pg

BEGIN;

SELECT 'outbox.message_transition_trg()'::regprocedure;
SELECT 'outbox.enqueue(text, text, text, jsonb, jsonb, text, bigint)'::regprocedure;
SELECT 'outbox.require_sender()'::regprocedure;
SELECT 'outbox.claim(text, integer, integer, text)'::regprocedure;
SELECT 'outbox.report_sent(bigint, uuid)'::regprocedure;
SELECT 'outbox.report_failed(bigint, uuid, text, boolean)'::regprocedure;
SELECT 'outbox.list_messages(text, text, integer)'::regprocedure;
SELECT 'outbox.retry(bigint)'::regprocedure;
SELECT 'outbox.reclaim_expired(integer)'::regprocedure;
SELECT 'outbox.purge_sent(integer)'::regprocedure;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger
 WHERE tgrelid = 'outbox.message'::regclass AND tgname = 'message_transition' AND tgenabled <> 'D';
-- module functions: no API role and not the sender executes them (they reach them through api.*)
SELECT 1 / (NOT has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) r,
       unnest(ARRAY['outbox.message_transition_trg()', 'outbox.require_sender()',
                    'outbox.enqueue(text, text, text, jsonb, jsonb, text, bigint)',
                    'outbox.claim(text, integer, integer, text)', 'outbox.report_sent(bigint, uuid)',
                    'outbox.report_failed(bigint, uuid, text, boolean)', 'outbox.list_messages(text, text, integer)',
                    'outbox.retry(bigint)', 'outbox.reclaim_expired(integer)', 'outbox.purge_sent(integer)']) f;

ROLLBACK;
