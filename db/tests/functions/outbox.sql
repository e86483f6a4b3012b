-- Tests for functions/outbox: dedupe, transitions refused, claim and leases, secrets only while SENDING, backoff and
-- DEAD, retry. (SKIP LOCKED between concurrent senders needs two sessions: py/tests/test_outbox.py.)
BEGIN;
SELECT plan(31);

-- enqueue and dedupe ----------------------------------------------------------------------------------------------
SELECT tests.put('a', outbox.enqueue('sms', '+251900000001', 'identity.verify', '{"name": "Abebe"}', '{"code": "482913"}',
                                     'test:verify:1'));
SELECT is((SELECT state || ' ' || channel || ' ' || attempts FROM outbox.message WHERE id = tests.id('a')), 'PENDING SMS 0',
          'an enqueued message is PENDING, channel upper-cased, no attempt yet');
SELECT is(outbox.enqueue('SMS', '+251900000001', 'identity.verify', '{"name": "Abebe"}', '{"code": "482913"}', 'test:verify:1'),
          tests.id('a'), 'the same dedupe key and payload returns the existing message');
SELECT is((SELECT count(*)::int FROM outbox.message WHERE dedupe_key = 'test:verify:1'), 1, 'and writes nothing');
SELECT throws_like($$SELECT outbox.enqueue('SMS', '+251900000002', 'identity.verify', '{"name": "Abebe"}', '{"code": "482913"}', 'test:verify:1')$$,
                   'OUTBOX_DEDUPE_CONFLICT:%', 'another recipient under the same key is refused');
SELECT throws_like($$SELECT outbox.enqueue('SMS', '+251900000001', 'identity.verify', '{"name": "Abebe"}', '{"code": "000000"}', 'test:verify:1')$$,
                   'OUTBOX_DEDUPE_CONFLICT:%', 'another secret under the same key is refused while unsent');
SELECT throws_like($$SELECT outbox.enqueue('FAX', '+1', 't')$$, 'OUTBOX_INVALID_MESSAGE:%', 'an unknown channel is refused');
SELECT throws_like($$SELECT outbox.enqueue('EMAIL', 'a@b.test', 't', '[1]')$$, 'OUTBOX_INVALID_MESSAGE:%',
                   'params that are not an object are refused');

-- transitions refused, whoever writes ---------------------------------------------------------------------------------
SELECT throws_like($$INSERT INTO outbox.message (channel, recipient, template, state, sent_at) VALUES ('SMS', '+1', 't', 'SENT', now())$$,
                   'OUTBOX_INVALID_TRANSITION:%', 'a message starts PENDING');
SELECT throws_like($$UPDATE outbox.message SET state = 'SENT', sent_at = now() WHERE id = tests.id('a')$$,
                   'OUTBOX_INVALID_TRANSITION:%', 'PENDING -> SENT is refused, even for the owner');
SELECT throws_like($$UPDATE outbox.message SET state = 'DEAD' WHERE id = tests.id('a')$$,
                   'OUTBOX_INVALID_TRANSITION:%', 'PENDING -> DEAD is refused');

-- claim, secret while SENDING, report ----------------------------------------------------------------------------------
SELECT tests.as_sender();
SELECT throws_ok($$SELECT secret FROM outbox.message_secret$$, '42501', NULL, 'the sender cannot read the secrets table');
SELECT throws_ok($$SELECT id FROM outbox.message$$, '42501', NULL, 'nor the messages table');
CREATE TEMP TABLE t_claim AS SELECT * FROM api.outbox_claim('SMS', 10, 60, 'pgtap');
SELECT is((SELECT secret ->> 'code' FROM t_claim WHERE id = tests.id('a')), '482913',
          'the claim gives the sender the secret of the message it now holds');
SELECT is((SELECT attempts FROM t_claim WHERE id = tests.id('a')), 1, 'the claim counts an attempt');
SELECT is((SELECT count(*)::int FROM api.outbox_claim('SMS', 10, 60, 'pgtap-2')), 0,
          'a message under a live lease is not claimed again');
SELECT throws_like($$SELECT api.outbox_report_sent(tests.id('a'), gen_random_uuid())$$, 'OUTBOX_LEASE_LOST:%',
                   'a report under another lease is refused');
SELECT ok(api.outbox_report_sent(tests.id('a'), (SELECT lease_token FROM t_claim WHERE id = tests.id('a'))),
          'the lease holder reports it sent');
SELECT tests.as_owner();
SELECT is((SELECT state || ' ' || (secret_redacted_at IS NOT NULL)::text || ' ' || (sent_at IS NOT NULL)::text
             FROM outbox.message WHERE id = tests.id('a')), 'SENT true true', 'SENT, sent_at stamped, secret redaction stamped');
SELECT is((SELECT count(*)::int FROM outbox.message_secret WHERE message_id = tests.id('a')), 0, 'the secret is deleted once SENT');
SELECT tests.as_sender();
SELECT ok(NOT api.outbox_report_sent(tests.id('a'), (SELECT lease_token FROM t_claim WHERE id = tests.id('a'))),
          'the same report again changes nothing (false)');
SELECT tests.as_owner();
SELECT throws_like($$UPDATE outbox.message SET state = 'PENDING' WHERE id = tests.id('a')$$,
                   'OUTBOX_INVALID_TRANSITION:%', 'a SENT message never changes');
SELECT is(outbox.enqueue('SMS', '+251900000001', 'identity.verify', '{"name": "Abebe"}', '{"code": "999999"}', 'test:verify:1'),
          tests.id('a'), 'once sent, the same key returns the sent message (its secret is gone and not compared)');

-- backoff and DEAD --------------------------------------------------------------------------------------------------
SELECT tests.put('b', outbox.enqueue('EMAIL', 'b@example.test', 'identity.reset', '{}', '{"token": "tok-b"}'));
UPDATE masterdata.setting SET value = '3' WHERE key = 'OUTBOX_MAX_ATTEMPTS';
CREATE TEMP TABLE t_b (n int, lease uuid, state text, next_at timestamptz);
GRANT ALL ON t_b TO PUBLIC;
CREATE FUNCTION pg_temp.claim_and_fail(p_n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_lease uuid;
BEGIN
    PERFORM tests.as_sender();
    SELECT c.lease_token INTO v_lease FROM api.outbox_claim('EMAIL', 10, 60) c WHERE c.id = tests.id('b');
    INSERT INTO t_b SELECT p_n, v_lease, api.outbox_report_failed(tests.id('b'), v_lease, 'provider said 503'), NULL;
    PERFORM tests.as_owner();
    UPDATE t_b SET next_at = (SELECT next_attempt_at FROM outbox.message WHERE id = tests.id('b')) WHERE n = p_n;
    UPDATE outbox.message SET next_attempt_at = now() - interval '1 second' WHERE id = tests.id('b');   -- due again
END $$;
SELECT pg_temp.claim_and_fail(1);
SELECT pg_temp.claim_and_fail(2);
SELECT pg_temp.claim_and_fail(3);
SELECT results_eq($$SELECT state, next_at - now() FROM t_b ORDER BY n$$,
                  $$VALUES ('FAILED', interval '30 seconds'), ('FAILED', interval '60 seconds'), ('DEAD', interval '120 seconds')$$,
                  'failures back off 30 s, 60 s (base * 2^(attempts - 1)); the third attempt of three is DEAD');
SELECT is((SELECT count(*)::int FROM outbox.message_secret WHERE message_id = tests.id('b')), 0, 'a DEAD message loses its secret');
SELECT throws_like($$SELECT outbox.retry(tests.id('b'))$$, 'OUTBOX_INVALID_TRANSITION:%',
                   'a DEAD message whose secret is gone cannot be retried');

SELECT tests.put('c', outbox.enqueue('WEBHOOK', 'https://merchant.test/hook', 'order.paid', '{"order": 7}'));
SELECT tests.as_sender();
SELECT is(api.outbox_report_failed(tests.id('c'), (SELECT lease_token FROM api.outbox_claim('WEBHOOK', 1) WHERE id = tests.id('c')),
                                   'HTTP 410', false), 'DEAD', 'a permanent failure is DEAD at once');
SELECT tests.as_service();
SELECT is(api.outbox_retry(tests.id('c')), 'PENDING', 'the back office retries a DEAD message without secret');
SELECT tests.as_owner();
SELECT is((SELECT state || ' ' || attempts FROM outbox.message WHERE id = tests.id('c')), 'PENDING 0', 'due again, attempts reset');

-- an expired lease: claimed again, the old holder's report refused ------------------------------------------------------
SELECT tests.as_sender();
CREATE TEMP TABLE t_c1 AS SELECT * FROM api.outbox_claim('WEBHOOK', 1, 60, 'w1');
SELECT tests.as_owner();
UPDATE outbox.message SET lease_until = now() - interval '1 second' WHERE id = tests.id('c');
SELECT tests.as_sender();
SELECT is((SELECT count(*)::int FROM api.outbox_claim('WEBHOOK', 1, 60, 'w2') WHERE id = tests.id('c')), 1,
          'a message whose lease expired is claimed again');
SELECT throws_like($$SELECT api.outbox_report_sent(tests.id('c'), (SELECT lease_token FROM t_c1))$$, 'OUTBOX_LEASE_LOST:%',
                   'the first holder, whose lease expired, cannot report it');

-- the reports find their message by the primary key, whatever the statistics say (CONVENTIONS.md, Functions) ----------
SELECT tests.as_owner();
CREATE FUNCTION pg_temp.plan_indexes(p_query text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE v json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || p_query INTO v;
    RETURN jsonb_path_query_array(v::jsonb, 'strict $.**."Index Name"');
END $f$;
INSERT INTO outbox.message (channel, recipient, template) SELECT 'SMS', '+1' || g, 'plan' FROM generate_series(1, 2000) g;
ANALYZE outbox.message;
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE sent_plan(bigint, uuid) AS
    UPDATE outbox.message SET state = 'SENT', sent_at = now(), lease_until = NULL
     WHERE id = $1 AND state = 'SENDING' AND lease_token = $2;
SELECT is(pg_temp.plan_indexes('EXECUTE sent_plan(1, gen_random_uuid())'), '["message_pkey"]',
          'a report finds its message by the primary key (generic plan)');
RESET plan_cache_mode;

SELECT * FROM finish();
ROLLBACK;
