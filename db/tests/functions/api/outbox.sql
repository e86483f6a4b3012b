-- Tests for functions/api/outbox: who may call what; API roles reach neither messages nor secrets.
BEGIN;
SELECT plan(9);

SELECT tests.put('m', outbox.enqueue('SMS', '+251900000009', 'delivery.otp', '{}', '{"code": "135790"}'));

SELECT tests.as_user('kc|outbox-nobody');
SELECT throws_ok($$SELECT * FROM api.outbox_claim('SMS')$$, '42501', NULL, 'a user cannot claim messages');
SELECT throws_ok($$SELECT * FROM api.outbox_list()$$, '42501', NULL, 'a user cannot list messages');
SELECT tests.as_anon();
SELECT throws_ok($$SELECT * FROM api.outbox_claim('SMS')$$, '42501', NULL, 'nor can an anonymous caller');
SELECT tests.as_service();
SELECT throws_ok($$SELECT * FROM api.outbox_claim('SMS')$$, '42501', NULL, 'the back office cannot claim (and so never sees a secret)');
SELECT throws_ok($$SELECT outbox.enqueue('SMS', '+1', 't')$$, '42501', NULL, 'no API role enqueues directly');
SELECT is((SELECT has_secret FROM api.outbox_list('PENDING', 'SMS') WHERE id = tests.id('m')), true,
          'the back office lists the message, which says it has a secret but not what it is');
SELECT tests.as_sender();
SELECT throws_ok($$SELECT * FROM api.outbox_list()$$, '42501', NULL, 'a sender cannot list');
SELECT tests.as_owner();
-- the role check inside: a service caller granted the claim for this test is still no sender
GRANT EXECUTE ON FUNCTION api.outbox_claim(core.name_text, integer, integer, core.name_text) TO mercato_service;
SELECT tests.as_service();
SELECT throws_like($$SELECT * FROM api.outbox_claim('SMS')$$, 'OUTBOX_NOT_SENDER:%', 'the claim checks the caller is a sender');
SELECT tests.as_owner();
SELECT is((SELECT state FROM outbox.message WHERE id = tests.id('m')), 'PENDING', 'nothing was claimed');

SELECT * FROM finish();
ROLLBACK;
