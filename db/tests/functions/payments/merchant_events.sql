-- Tests for functions/payments/merchant_events: endpoints (ADMIN and OWNER only, secrets shown once and read by no API
-- role), events numbered per object without gaps, one signed outbox message per enabled endpoint taking the type,
-- signatures that fail when one byte changes or the timestamp is old, rotation (both secrets valid in the window, only
-- the new after), the outbox's retries seen in the deliveries list, and replay.
BEGIN;
SELECT plan(29);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pev') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE TEMP TABLE s (k text PRIMARY KEY, v text);
GRANT ALL ON s TO PUBLIC;
CREATE FUNCTION pg_temp.msg(p_event bigint, p_endpoint bigint, p_attempt integer DEFAULT 1) RETURNS outbox.message
LANGUAGE sql AS $f$
    SELECT m.* FROM payments.webhook_delivery d JOIN outbox.message m ON m.id = d.message_id
     WHERE d.event_id = p_event AND d.endpoint_id = p_endpoint AND d.attempt = p_attempt $f$;

-- endpoints ----------------------------------------------------------------------------------------------------------
SELECT tests.as_user('pev-clerk');
SELECT throws_like($$SELECT * FROM api.create_webhook_endpoint(pg_temp.u('merchant'), 'https://shop.example/hooks', '{*}')$$,
                   'PAYMENTS_UNKNOWN_MERCHANT:%', 'STAFF adds no endpoint (ADMIN or OWNER does)');
SELECT tests.as_user('pev-merchant');
INSERT INTO s SELECT 'all', e.endpoint_id || ' ' || e.secret
  FROM api.create_webhook_endpoint(pg_temp.u('merchant'), 'https://shop.example/hooks', '{*}') e;
INSERT INTO s SELECT 'paid', e.endpoint_id || ' ' || e.secret
  FROM api.create_webhook_endpoint(pg_temp.u('merchant'), 'https://erp.example/paid', '{invoice.paid}') e;
INSERT INTO s SELECT 'off', e.endpoint_id || ' ' || e.secret
  FROM api.create_webhook_endpoint(pg_temp.u('merchant'), 'https://old.example/hooks', '{*}') e;
SELECT tests.put('all', split_part((SELECT v FROM s WHERE k = 'all'), ' ', 1)::bigint);
SELECT tests.put('paid', split_part((SELECT v FROM s WHERE k = 'paid'), ' ', 1)::bigint);
SELECT tests.put('off', split_part((SELECT v FROM s WHERE k = 'off'), ' ', 1)::bigint);
SELECT api.update_webhook_endpoint(tests.id('off'), p_status => 'DISABLED');
SELECT ok((SELECT v FROM s WHERE k = 'all') ~ ' whsec_[0-9a-f]{64}$', 'the secret is shown once, at creation');
SELECT is((SELECT array_agg(status || ':' || valid_secrets ORDER BY endpoint_id) FROM api.webhook_endpoints(pg_temp.u('merchant'))),
          ARRAY['ENABLED:1', 'ENABLED:1', 'DISABLED:1'], 'the endpoints are listed without their secrets');
SELECT throws_ok('SELECT secret FROM payments.webhook_secret', '42501', NULL, 'no API role reads the secrets');
SELECT throws_like($$SELECT * FROM api.create_webhook_endpoint(pg_temp.u('merchant'), 'http://shop.example/hooks', '{*}')$$,
                   'PAYMENTS_INVALID_INPUT:%', 'https only');
SELECT throws_like($$SELECT * FROM api.create_webhook_endpoint(pg_temp.u('merchant'), 'https://shop.example/h', '{Invoice Paid}')$$,
                   'PAYMENTS_INVALID_INPUT:%', 'event types are type names or *');
SELECT tests.as_user('pev-payer');
SELECT throws_like($$SELECT * FROM api.webhook_endpoints(pg_temp.u('merchant'))$$, 'PAYMENTS_UNKNOWN_MERCHANT:%',
                   'nobody else lists them');
SELECT throws_like($$SELECT * FROM api.rotate_webhook_secret(tests.id('all'))$$, 'PAYMENTS_UNKNOWN_ENDPOINT:%',
                   'nor rotates their secrets');
SELECT tests.as_owner();

-- events: a sequence per object, a message per enabled endpoint taking the type ------------------------------------
SELECT tests.put('e1', payments.emit_merchant_event(pg_temp.u('merchant'), 'invoice', 42, 'invoice.opened', '{"n": 1}'));
SELECT tests.put('e2', payments.emit_merchant_event(pg_temp.u('merchant'), 'invoice', 42, 'invoice.paid', '{"n": 2}'));
SELECT tests.put('e3', payments.emit_merchant_event(pg_temp.u('merchant'), 'invoice', 43, 'invoice.opened', '{"n": 3}'));
SELECT is((SELECT array_agg(object_id || '#' || sequence ORDER BY id) FROM payments.merchant_event
            WHERE organization_id = pg_temp.u('merchant')), ARRAY['42#1', '42#2', '43#1'],
          'sequence numbers per object: 1, 2 for one invoice, 1 for the other');
SELECT is((SELECT array_agg(d.endpoint_id ORDER BY d.endpoint_id) FROM payments.webhook_delivery d WHERE d.event_id = tests.id('e1')),
          ARRAY[tests.id('all')], 'invoice.opened goes to the endpoint taking every type only (not the disabled one)');
SELECT is((SELECT array_agg(d.endpoint_id ORDER BY d.endpoint_id) FROM payments.webhook_delivery d WHERE d.event_id = tests.id('e2')),
          ARRAY[tests.id('all'), tests.id('paid')], 'invoice.paid goes to both enabled endpoints');
SELECT is((SELECT (channel, recipient, template, state, params -> 'headers' ->> 'Mercato-Event-Sequence')::text
             FROM pg_temp.msg(tests.id('e2'), tests.id('paid'))),
          '(WEBHOOK,https://erp.example/paid,payments.merchant_event,PENDING,2)',
          'each delivery is an outbox message to the endpoint''s URL, carrying the sequence');
SELECT is((SELECT (params ->> 'body')::jsonb ->> 'sequence' FROM pg_temp.msg(tests.id('e2'), tests.id('all'))), '2',
          'the body carries the sequence too');
SELECT throws_like($$SELECT payments.emit_merchant_event(pg_temp.u('merchant'), 'invoice', 42, 'paid', '{}')$$,
                   'PAYMENTS_INVALID_INPUT:%', 'an event type is object.verb');
SELECT throws_like($$SELECT payments.emit_merchant_event(-1, 'invoice', 42, 'invoice.paid', '{}')$$,
                   'PAYMENTS_UNKNOWN_MERCHANT:%', 'events are for merchants');

-- signatures: HMAC-SHA256 over "<t>.<body>", off by one byte fails -------------------------------------------------
INSERT INTO s SELECT 'header', params -> 'headers' ->> 'Mercato-Signature' FROM pg_temp.msg(tests.id('e2'), tests.id('paid'));
INSERT INTO s SELECT 'body', params ->> 'body' FROM pg_temp.msg(tests.id('e2'), tests.id('paid'));
SELECT ok((SELECT v FROM s WHERE k = 'header') ~ '^t=[0-9]+,v1=[0-9a-f]{64}$', 'one signature while one secret is valid');
SELECT ok(payments.verify_webhook_signature(tests.id('paid'), (SELECT v FROM s WHERE k = 'header'), (SELECT v FROM s WHERE k = 'body')),
          'the signature verifies with the endpoint''s secret');
SELECT ok(encode(public.hmac(convert_to(substring((SELECT v FROM s WHERE k = 'header') FROM '^t=([0-9]+)') || '.' ||
                                        (SELECT v FROM s WHERE k = 'body'), 'UTF8'),
                             convert_to(split_part((SELECT v FROM s WHERE k = 'paid'), ' ', 2), 'UTF8'), 'sha256'), 'hex')
          = substring((SELECT v FROM s WHERE k = 'header') FROM 'v1=([0-9a-f]{64})'),
          'a receiver holding the secret shown at creation computes the same HMAC');
SELECT ok(NOT payments.verify_webhook_signature(tests.id('paid'), (SELECT v FROM s WHERE k = 'header'),
                                                overlay((SELECT v FROM s WHERE k = 'body') PLACING 'X' FROM 10 FOR 1)),
          'a body off by one byte fails verification');
SELECT ok(NOT payments.verify_webhook_signature(tests.id('paid'),
              overlay((SELECT v FROM s WHERE k = 'header') PLACING
                      CASE WHEN right((SELECT v FROM s WHERE k = 'header'), 1) = '0' THEN '1' ELSE '0' END
                      FROM length((SELECT v FROM s WHERE k = 'header')) FOR 1),
              (SELECT v FROM s WHERE k = 'body')), 'a signature off by one byte fails verification');
SELECT ok(NOT payments.verify_webhook_signature(tests.id('paid'), (SELECT v FROM s WHERE k = 'header'),
                                                (SELECT v FROM s WHERE k = 'body'), now() + interval '10 minutes'),
          'an old timestamp fails verification (tolerance 5 minutes)');

-- rotation: both secrets valid in the window, only the new after ---------------------------------------------------
SELECT tests.as_user('pev-merchant');
INSERT INTO s SELECT 'new', r.secret FROM api.rotate_webhook_secret(tests.id('paid'), 3600) r;
SELECT tests.as_owner();
SELECT ok(payments.webhook_signature(tests.id('paid'), 1, 'x') ~ '^t=1,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$',
          'during the rotation window every message is signed with both secrets');
SELECT ok(payments.webhook_signature(tests.id('paid'), 1, 'x', now() + interval '2 hours') ~ '^t=1,v1=[0-9a-f]{64}$',
          'after the window with the new one only');
CREATE FUNCTION pg_temp.signed_with(p_secret text, p_at timestamptz) RETURNS text LANGUAGE sql AS $f$
    SELECT 't=' || floor(extract(epoch FROM p_at))::bigint || ',v1='
           || encode(public.hmac(convert_to(floor(extract(epoch FROM p_at))::bigint || '.{}', 'UTF8'),
                                 convert_to(p_secret, 'UTF8'), 'sha256'), 'hex') $f$;
SELECT ok(payments.verify_webhook_signature(tests.id('paid'),
              pg_temp.signed_with(split_part((SELECT v FROM s WHERE k = 'paid'), ' ', 2), now() + interval '30 minutes'),
              '{}', now() + interval '30 minutes')
          AND payments.verify_webhook_signature(tests.id('paid'),
              pg_temp.signed_with((SELECT v FROM s WHERE k = 'new'), now() + interval '30 minutes'),
              '{}', now() + interval '30 minutes'),
          'in the window a request signed with the old secret and one signed with the new both verify');
SELECT ok(NOT payments.verify_webhook_signature(tests.id('paid'),
              pg_temp.signed_with(split_part((SELECT v FROM s WHERE k = 'paid'), ' ', 2), now() + interval '2 hours'),
              '{}', now() + interval '2 hours')
          AND payments.verify_webhook_signature(tests.id('paid'),
              pg_temp.signed_with((SELECT v FROM s WHERE k = 'new'), now() + interval '2 hours'),
              '{}', now() + interval '2 hours'),
          'after the window the old secret fails and the new one verifies');

-- the outbox retries with backoff; the deliveries list shows it; replay enqueues again --------------------------------
SELECT tests.put('m1', (SELECT message_id FROM payments.webhook_delivery WHERE event_id = tests.id('e1')));
SELECT tests.as_sender();
SELECT api.outbox_report_failed(c.id, c.lease_token, 'HTTP 503') FROM api.outbox_claim('WEBHOOK', 10) c
 WHERE c.id = tests.id('m1');
SELECT tests.as_user('pev-merchant');
SELECT is((SELECT (state, tries, last_error)::text FROM api.merchant_deliveries(pg_temp.u('merchant'), 'invoice', 42)
            WHERE event_id = tests.id('e1')), '(FAILED,1,"HTTP 503")',
          'a failed delivery is listed with the outbox''s state, tries and error (the outbox retries it with backoff)');
SELECT is(api.replay_merchant_event(tests.id('e1')), 1::bigint, 'a replay enqueues the event again to its endpoints');
SELECT tests.as_owner();
SELECT is((SELECT (state, (params ->> 'body')::jsonb ->> 'attempt', params -> 'headers' ->> 'Mercato-Event-Sequence')::text
             FROM pg_temp.msg(tests.id('e1'), tests.id('all'), 2)), '(PENDING,2,1)',
          'as attempt 2, a new message, the same event sequence');
SELECT tests.as_user('pev-payer');
SELECT throws_like($$SELECT api.replay_merchant_event(tests.id('e1'))$$, 'PAYMENTS_UNKNOWN_EVENT:%',
                   'nobody else replays a merchant''s events');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
