-- Tests for functions/payments/webhook_sender: the request a WEBHOOK sender makes for a message it holds, signed at
-- that instant with every secret valid then (two during a rotation), verifiable by the merchant; only under the lease.
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE w AS SELECT tests.payments_world('ws') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS text LANGUAGE sql AS $f$ SELECT j ->> k FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE FUNCTION pg_temp.v1(p_secret text, p_header text, p_body text) RETURNS boolean LANGUAGE sql AS $f$
    -- what the merchant does with its own secret: HMAC-SHA256 over "<t>.<body>", one of the v1 values
    SELECT position(',v1=' || encode(public.hmac(convert_to(substring(p_header FROM '^t=([0-9]+)') || '.' || p_body, 'UTF8'),
                                                 convert_to(p_secret, 'UTF8'), 'sha256'), 'hex') IN p_header) > 0 $f$;

SELECT tests.as_user('ws-merchant');
CREATE TEMP TABLE ep AS SELECT * FROM api.create_webhook_endpoint(pg_temp.u('merchant')::bigint, 'https://ws.example/a', '{*}');
SELECT tests.as_owner();
GRANT SELECT ON ep TO PUBLIC;
SELECT tests.put('ev', payments.emit_merchant_event(pg_temp.u('merchant')::bigint, 'invoice', 1, 'invoice.paid', '{"n": 1}'));
SELECT tests.put('msg', (SELECT d.message_id FROM payments.webhook_delivery d WHERE d.event_id = tests.id('ev')));

SELECT throws_like(format('SELECT payments.merchant_webhook_request(%s, gen_random_uuid())', tests.id('msg')),
                   'OUTBOX_LEASE_LOST:%', 'a message nobody claimed gives no request');
CREATE TEMP TABLE c AS SELECT * FROM outbox.claim('WEBHOOK', 10, 60, 'ws-sender') WHERE id = tests.id('msg');
GRANT SELECT ON c TO PUBLIC;
SELECT is((SELECT count(*) FROM c), 1::bigint, 'the sender claims the message');
SELECT throws_like(format('SELECT payments.merchant_webhook_request(%s, gen_random_uuid())', tests.id('msg')),
                   'OUTBOX_LEASE_LOST:%', 'another lease gives no request');

CREATE TEMP TABLE r AS SELECT payments.merchant_webhook_request(tests.id('msg'), (SELECT lease_token FROM c)) AS j;
SELECT is((SELECT (j ->> 'method', j ->> 'url', (j ->> 'event_id')::bigint = tests.id('ev'))::text FROM r),
          '(POST,https://ws.example/a,t)', 'a POST to the endpoint for the event');
SELECT is((SELECT j ->> 'body' FROM r), (SELECT m.params ->> 'body' FROM outbox.message m WHERE m.id = tests.id('msg')),
          'the body exactly as enqueued');
SELECT is((SELECT (j -> 'headers' ->> 'Mercato-Event-Id', j -> 'headers' ->> 'Mercato-Event-Sequence',
                   j -> 'headers' ->> 'Idempotency-Key', j -> 'headers' ->> 'Content-Type')::text FROM r),
          format('(evt_%s,1,msg_%s,application/json)', tests.id('ev'), tests.id('msg')),
          'the event id, its sequence, the message id as idempotency key');
SELECT is((SELECT substring(j -> 'headers' ->> 'Mercato-Signature' FROM '^t=([0-9]+),')::bigint FROM r),
          floor(extract(epoch FROM now()))::bigint, 'signed now, not when the event was enqueued');
SELECT ok((SELECT payments.verify_webhook_signature((SELECT endpoint_id FROM ep),
                                                    j -> 'headers' ->> 'Mercato-Signature', j ->> 'body') FROM r),
          'the signature verifies');
SELECT ok((SELECT pg_temp.v1((SELECT secret FROM ep), j -> 'headers' ->> 'Mercato-Signature', j ->> 'body') FROM r),
          'the merchant verifies it with the secret it was given');

-- during a rotation: both the old and the new secret verify the same request
SELECT tests.as_user('ws-merchant');
CREATE TEMP TABLE rot AS SELECT * FROM api.rotate_webhook_secret((SELECT endpoint_id FROM ep), 3600);
SELECT api.update_webhook_endpoint((SELECT endpoint_id FROM ep), 'https://ws.example/b');
SELECT tests.as_owner();
CREATE TEMP TABLE r2 AS SELECT payments.merchant_webhook_request(tests.id('msg'), (SELECT lease_token FROM c)) AS j;
SELECT ok((SELECT pg_temp.v1((SELECT secret FROM ep), j -> 'headers' ->> 'Mercato-Signature', j ->> 'body')
              AND pg_temp.v1((SELECT secret FROM rot), j -> 'headers' ->> 'Mercato-Signature', j ->> 'body') FROM r2),
          'during a rotation the request verifies with the old secret and with the new one');
SELECT is((SELECT j ->> 'url' FROM r2), 'https://ws.example/b', 'a retry goes to the endpoint''s current URL');

-- not a merchant webhook; not a sender
SELECT tests.put('sms', outbox.enqueue('SMS', '+254700000000', 'ws.test', '{}'));
CREATE TEMP TABLE c2 AS SELECT * FROM outbox.claim('SMS', 100, 60, 'ws-sender');
SELECT throws_like(format('SELECT payments.merchant_webhook_request(%s, %L)', tests.id('sms'),
                          (SELECT lease_token FROM c2 WHERE id = tests.id('sms'))),
                   'PAYMENTS_INVALID_INPUT:%', 'an SMS is no merchant webhook');
SELECT tests.as_service();
SELECT throws_ok(format('SELECT api.merchant_webhook_request(%s, %L)', tests.id('msg'), (SELECT lease_token FROM c)),
                 '42501', NULL, 'the back office is no sender');
SELECT tests.as_user('ws-merchant');
SELECT throws_ok(format('SELECT api.merchant_webhook_request(%s, %L)', tests.id('msg'), (SELECT lease_token FROM c)),
                 '42501', NULL, 'nor is a user');

SELECT * FROM finish();
ROLLBACK;
