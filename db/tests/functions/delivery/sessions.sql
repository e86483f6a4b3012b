-- Tests for functions/delivery/sessions: the assignment's provider opens one live session per handover, gets its code
-- once, asks for new codes at a limited rate; the session's parties read it, never its code.
BEGIN;
SELECT plan(10);

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
INSERT INTO codes SELECT 'c1', code, session_id FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY');
SELECT ok((SELECT code ~ '^[0-9]{6}$' FROM codes WHERE k = 'c1'), 'a 6-digit code is returned once');
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
INSERT INTO codes SELECT 'c2', code, (SELECT session_id FROM codes WHERE k = 'c1') FROM api.resend_code((SELECT session_id FROM codes WHERE k = 'c1'));
RESET ROLE;
SELECT is((SELECT count(*)::int FROM delivery.otp WHERE session_id = (SELECT session_id FROM codes WHERE k = 'c1') AND status = 'ACTIVE'), 1,
          'exactly one live code per session');

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
SELECT lives_ok($$SELECT * FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'DELIVERY')$$,
                'after a cancelled session the provider opens a new one');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
