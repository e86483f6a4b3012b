-- Tests for functions/api/payments_rails: who calls what (the edge is the back office, the adapter a sender).
BEGIN;
SELECT plan(7);


SELECT ok(has_function_privilege('mercato_service', 'api.ingest_webhook(core.name_text, core.json_doc, core.long_text)', 'EXECUTE'),
          'the back office (the HTTP edge) ingests webhooks');
SELECT ok(NOT has_function_privilege(r, 'api.ingest_webhook(core.name_text, core.json_doc, core.long_text)', 'EXECUTE'),
          format('%s does not', r))
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_sender']) r;
SELECT ok(has_function_privilege('mercato_sender', 'api.rail_acknowledge(bigint, uuid, core.long_text)', 'EXECUTE'),
          'a sender acknowledges');
SELECT tests.payments_world('ap');
SELECT tests.as_user('ap-payer');
SELECT is((SELECT count(*)::int FROM api.rails() WHERE status <> 'ACTIVE'), 0, 'users list active rails only');
SELECT tests.as_owner();
SELECT tests.as_sender();
SELECT throws_like($$SELECT api.rail_acknowledge(-1, gen_random_uuid(), '{}')$$, 'OUTBOX_UNKNOWN_MESSAGE:%',
                   'an acknowledgement needs the message''s lease');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
