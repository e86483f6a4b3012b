-- Verify mercato:functions/outbox/rail_channel on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k
             WHERE k.conrelid = 'outbox.message'::regclass AND k.conname = 'message_channel_check'
               AND pg_catalog.pg_get_constraintdef(k.oid) LIKE '%''RAIL''%')::int;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_proc p
             WHERE p.oid = x::regprocedure AND p.prosrc LIKE '%''RAIL''%')::int
  FROM unnest(ARRAY['outbox.enqueue(text, text, text, jsonb, jsonb, text, bigint)',
                    'outbox.claim(text, integer, integer, text)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r,
       unnest(ARRAY['outbox.enqueue(text, text, text, jsonb, jsonb, text, bigint)',
                    'outbox.claim(text, integer, integer, text)']) AS f;

ROLLBACK;
