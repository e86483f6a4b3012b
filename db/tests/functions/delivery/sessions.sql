-- Tests for functions/delivery/sessions: the assignment's provider opens one live session per handover, asks for new
-- codes at a limited rate, and never sees a code (it goes to the business through the outbox); the session's parties
-- read it, never its code.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
CREATE TEMP TABLE codes (k text PRIMARY KEY, code text, session_id bigint);
GRANT ALL ON ids, codes TO mercato_user, mercato_service;
-- an awarded RFQ, a contract in escrow, one vehicle assigned (tests.assigned_world, all through the api)
INSERT INTO ids SELECT * FROM tests.assigned_world('dl');

-- opening a session
SELECT tests.as_user('kc|dl-p1');
SELECT throws_like($$SELECT * FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'RETURN')$$,
                   'DELIVERY_INVALID_STATE:%', 'nothing to return before the handover');
SELECT throws_like($$SELECT * FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY', 'PIGEON')$$,
                   'DELIVERY_INVALID_INPUT:%', 'channels are SMS or EMAIL');
DO $$
BEGIN
    PERFORM * FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY');
    RAISE EXCEPTION 'roll the opening back';
EXCEPTION WHEN raise_exception THEN NULL;
END
$$;
RESET ROLE;
SELECT is((SELECT count(*)::int FROM outbox.message WHERE template = 'delivery.otp'), 0,
          'a rolled-back opening leaves no message: the message is written in the session''s transaction');
SELECT tests.as_user('kc|dl-p1');
CREATE TEMP TABLE answers AS
SELECT 'c1'::text AS k, to_jsonb(s) AS answer FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY') s;
INSERT INTO codes SELECT 'c1', NULL, (answer ->> 'session_id')::bigint FROM answers;
RESET ROLE;
UPDATE codes SET code = tests.outbox_code(session_id) WHERE k = 'c1';
SELECT ok((SELECT code ~ '^[0-9]{6}$' FROM codes WHERE k = 'c1'), 'a 6-digit code waits in the outbox for the business');
SELECT is((SELECT array_agg(key ORDER BY key) FROM answers, jsonb_object_keys(answer) key),
          ARRAY['expires_at', 'message_id', 'session_id'], 'the provider gets the session, the expiry and the message id');
SELECT ok((SELECT position(c.code IN a.answer::text) = 0 FROM answers a, codes c WHERE c.k = 'c1'),
          'and never the code');
SELECT tests.as_user('kc|dl-p1');
SELECT throws_like($$SELECT * FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY')$$,
                   'DELIVERY_SESSION_EXISTS:%', 'one live session per assignment and type');
SELECT throws_like($$SELECT * FROM api.resend_code((SELECT session_id FROM codes WHERE k = 'c1'))$$,
                   'DELIVERY_RESEND_TOO_SOON:%', 'resends are rate-limited');
RESET ROLE;
SELECT tests.as_user('kc|dl-p2');
SELECT throws_like($$SELECT * FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY')$$,
                   'DELIVERY_UNKNOWN_ASSIGNMENT:%', 'another provider cannot open it');
RESET ROLE;

-- a resend supersedes: exactly one live code
UPDATE delivery.session SET last_issued_at = clock_timestamp() - interval '1 minute' WHERE id = (SELECT session_id FROM codes WHERE k = 'c1');
SELECT tests.as_user('kc|dl-p1');
INSERT INTO answers SELECT 'c2', to_jsonb(s) FROM api.resend_code((SELECT session_id FROM codes WHERE k = 'c1'), 'EMAIL') s;
RESET ROLE;
INSERT INTO codes SELECT 'c2', tests.outbox_code(session_id), session_id FROM codes WHERE k = 'c1';
SELECT is((SELECT count(*)::int FROM delivery.otp WHERE session_id = (SELECT session_id FROM codes WHERE k = 'c1') AND status = 'ACTIVE'), 1,
          'exactly one live code per session');
SELECT results_eq($$SELECT channel, recipient FROM outbox.message WHERE id = (SELECT (answer ->> 'message_id')::bigint FROM answers WHERE k = 'c2')$$,
                  $$VALUES ('EMAIL', tests.email_of('kc|dl-biz'))$$, 'a resend enqueues a new message, by e-mail when asked');
SELECT ok((SELECT position(c.code IN a.answer::text) = 0 AND c.code IS DISTINCT FROM (SELECT code FROM codes WHERE k = 'c1')
             FROM answers a, codes c WHERE a.k = 'c2' AND c.k = 'c2'), 'with a new code, which the resend does not return');
UPDATE identity.user_account SET phone = NULL WHERE auth_subject = 'kc|dl-biz';
UPDATE delivery.session SET last_issued_at = clock_timestamp() - interval '1 minute' WHERE id = (SELECT session_id FROM codes WHERE k = 'c1');
SELECT tests.as_user('kc|dl-p1');
SELECT throws_like($$SELECT * FROM api.resend_code((SELECT session_id FROM codes WHERE k = 'c1'), 'SMS')$$,
                   'DELIVERY_NO_CONTACT:%', 'no phone, no SMS code');
RESET ROLE;

-- reading and cancelling
SELECT tests.as_user('kc|dl-biz');
SELECT results_eq($$SELECT status, codes_issued, code_expires_at IS NOT NULL FROM api.delivery_session((SELECT session_id FROM codes WHERE k = 'c1'))$$,
                  $$VALUES ('PENDING', 2, true)$$, 'the business reads the session: its state, never its code');
RESET ROLE;
SELECT tests.as_user('kc|dl-p2');
SELECT throws_like($$SELECT * FROM api.delivery_session((SELECT session_id FROM codes WHERE k = 'c1'))$$,
                   'DELIVERY_UNKNOWN_SESSION:%', 'a stranger does not');
RESET ROLE;
SELECT tests.as_user('kc|dl-p1');
SELECT api.cancel_delivery_session((SELECT session_id FROM codes WHERE k = 'c1'));
SELECT lives_ok($$SELECT * FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY', 'EMAIL')$$,
                'after a cancelled session the provider opens a new one');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
