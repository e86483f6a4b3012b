-- Tests for functions/outbox/rail_channel: RAIL is a channel like the others (enqueue, claim), unknown ones still refused.
BEGIN;
SELECT plan(4);

SELECT tests.put('m', outbox.enqueue('rail', 'MPESA', 'mpesa.stk_push', '{"Amount": "10"}', NULL, 'test:rail:1'));
SELECT is((SELECT (channel, state)::text FROM outbox.message WHERE id = tests.id('m')), '(RAIL,PENDING)',
          'a RAIL message is enqueued (any case)');
SELECT tests.as_sender();
SELECT ok(tests.id('m') IN (SELECT id FROM api.outbox_claim('RAIL', 1000)), 'a sender claims RAIL messages');
SELECT tests.as_owner();
SELECT throws_like($$SELECT outbox.enqueue('PIGEON', 'x', 't')$$, 'OUTBOX_INVALID_MESSAGE:%', 'other channels are still refused');
SELECT throws_ok($$INSERT INTO outbox.message (channel, recipient, template) VALUES ('FAX', 'x', 't')$$, '23514', NULL,
                 'the CHECK names RAIL and the four others only');

SELECT * FROM finish();
ROLLBACK;
