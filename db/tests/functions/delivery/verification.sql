-- Tests for functions/delivery/verification: wrong codes are answers and are counted (attempts per code, a failure
-- budget per session that survives resends), the right code is used once, the handover starts or ends the assignment,
-- and the trust outcome is recorded and folded in later.
BEGIN;
SELECT plan(29);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
CREATE TEMP TABLE codes (k text PRIMARY KEY, code text, session_id bigint);
GRANT ALL ON ids, codes TO mercato_user, mercato_service;
-- an awarded RFQ, a contract in escrow, one vehicle assigned (tests.assigned_world, all through the api)
INSERT INTO ids SELECT * FROM tests.assigned_world('dl');
INSERT INTO codes SELECT 'c1', code, session_id FROM tests.delivery_session('kc|dl-p1', (SELECT v FROM ids WHERE k = 'asg'));

-- wrong codes are answers, counted
SELECT tests.as_user('kc|dl-p1');
SELECT throws_like($$SELECT * FROM api.verify_code((SELECT session_id FROM codes WHERE k = 'c1'), (SELECT code FROM codes WHERE k = 'c1'))$$,
                   'DELIVERY_UNKNOWN_SESSION:%', 'the provider cannot confirm its own handover');
RESET ROLE;
SELECT tests.as_user('kc|dl-biz');
SELECT throws_like($$SELECT * FROM api.verify_code((SELECT session_id FROM codes WHERE k = 'c1'), '12345')$$,
                   'DELIVERY_INVALID_INPUT:%', 'a malformed code is refused without counting');
SELECT results_eq(format($$SELECT verified, outcome, attempts_left, session_status FROM api.verify_code(%s, %L)$$,
                         (SELECT session_id FROM codes WHERE k = 'c1'),
                         lpad(((((SELECT code FROM codes WHERE k = 'c1')::int) + 1) % 1000000)::text, 6, '0')),
                  $$VALUES (false, 'WRONG_CODE', 4, 'PENDING')$$, 'a wrong code: not verified, 4 tries left');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM delivery.otp_attempt WHERE session_id = (SELECT session_id FROM codes WHERE k = 'c1')), 1,
          'the failed attempt is recorded');
SELECT tests.as_user('kc|dl-biz');
SELECT verify_code FROM (SELECT api.verify_code((SELECT session_id FROM codes WHERE k = 'c1'),
                         lpad(((((SELECT code FROM codes WHERE k = 'c1')::int) + n) % 1000000)::text, 6, '0')) FROM generate_series(2, 5) n) x;
RESET ROLE;
SELECT is((SELECT status FROM delivery.otp WHERE session_id = (SELECT session_id FROM codes WHERE k = 'c1')), 'EXHAUSTED',
          'five wrong tries kill the code');
SELECT tests.as_user('kc|dl-biz');
SELECT results_eq(format($$SELECT verified, outcome FROM api.verify_code(%s, %L)$$, (SELECT session_id FROM codes WHERE k = 'c1'),
                         (SELECT code FROM codes WHERE k = 'c1')),
                  $$VALUES (false, 'NO_ACTIVE_CODE')$$, 'even the right code is dead after that');
RESET ROLE;

-- a resend supersedes; the session budget survives it
UPDATE delivery.session SET last_issued_at = clock_timestamp() - interval '1 minute' WHERE id = (SELECT session_id FROM codes WHERE k = 'c1');
SELECT tests.as_user('kc|dl-p1');
INSERT INTO codes SELECT 'c2', NULL, session_id FROM api.resend_code((SELECT session_id FROM codes WHERE k = 'c1'));
RESET ROLE;
UPDATE codes SET code = tests.outbox_code(session_id) WHERE k = 'c2';   -- what the business receives by SMS
SELECT is((SELECT failures FROM delivery.session WHERE id = (SELECT session_id FROM codes WHERE k = 'c1')), 6,
          'the session''s failures survive the resend');
UPDATE delivery.otp SET created_at = created_at - interval '10 minutes', expires_at = clock_timestamp() - interval '1 second'
 WHERE session_id = (SELECT session_id FROM codes WHERE k = 'c1') AND status = 'ACTIVE';
SELECT tests.as_user('kc|dl-biz');
SELECT results_eq(format($$SELECT verified, outcome FROM api.verify_code(%s, %L)$$, (SELECT session_id FROM codes WHERE k = 'c2'),
                         (SELECT code FROM codes WHERE k = 'c2')),
                  $$VALUES (false, 'EXPIRED')$$, 'an expired code fails, even when right');
RESET ROLE;
UPDATE delivery.session SET last_issued_at = clock_timestamp() - interval '1 minute' WHERE id = (SELECT session_id FROM codes WHERE k = 'c1');
SELECT tests.as_user('kc|dl-p1');
INSERT INTO codes SELECT 'c3', NULL, session_id FROM api.resend_code((SELECT session_id FROM codes WHERE k = 'c1'));
RESET ROLE;
UPDATE codes SET code = tests.outbox_code(session_id) WHERE k = 'c3';   -- what the business receives by SMS

-- the right code: handover recorded, assignment started, trust moves
SELECT tests.as_user('kc|dl-biz');
SELECT results_eq(format($$SELECT verified, outcome FROM api.verify_code(%s, %L, '{"odometer_km": 12000, "fuel_level": "FULL", "photos": {"front": "https://x/f.jpg"}}')$$,
                         (SELECT session_id FROM codes WHERE k = 'c3'), (SELECT code FROM codes WHERE k = 'c3')),
                  $$VALUES (true, 'VERIFIED')$$, 'the right code verifies');
SELECT results_eq(format($$SELECT verified, outcome FROM api.verify_code(%s, %L)$$, (SELECT session_id FROM codes WHERE k = 'c3'),
                         (SELECT code FROM codes WHERE k = 'c3')),
                  $$VALUES (false, 'SESSION_CLOSED')$$, 'a code is used once');
RESET ROLE;
SELECT results_eq($$SELECT status, started_on FROM contracts.assignment WHERE id = (SELECT v FROM ids WHERE k = 'asg')$$,
                  $$VALUES ('ACTIVE', current_date)$$, 'the handover starts the assignment today');
SELECT is((SELECT odometer_km FROM delivery.handover WHERE session_id = (SELECT session_id FROM codes WHERE k = 'c3')), 12000, 'the handover is recorded');
SELECT results_eq($$SELECT reason, target::int, old_score, new_score, applied_at FROM parties.trust_score_event
                    WHERE provider_id = (SELECT v FROM ids WHERE k = 'p1')$$,
                  $$VALUES ('DELIVERED_ON_TIME', 100, NULL::smallint, NULL::smallint, NULL::timestamptz)$$,
                  'the on-time handover is recorded as a pending trust event (target 100)');
SELECT is((SELECT trust_score::int FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'p1')), 50,
          'the score itself moves when the event is folded in, not under the verification');
SET LOCAL ROLE mercato_service;
SELECT is(api.apply_trust_events(), 1::bigint, 'the fold applies the pending event');
RESET ROLE;
SELECT is((SELECT trust_score::int FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'p1')), 55,
          'an on-time handover moves trust 10 % of the way to 100 (50 -> 55)');
SELECT results_eq($$SELECT old_score::int, new_score::int, applied_at IS NOT NULL, inputs ->> 'formula'
                     FROM parties.trust_score_event WHERE provider_id = (SELECT v FROM ids WHERE k = 'p1')$$,
                  $$VALUES (50, 55, true, 'new = round(old + 0.1 * (target - old))')$$,
                  'the event keeps old and new score, when it was applied, the formula and inputs');
SET LOCAL ROLE mercato_service;
SELECT is(api.apply_trust_events(), 0::bigint, 'an event is applied once');
RESET ROLE;

-- return: a locked session, then a clean one; brute force gets exactly the budget
UPDATE masterdata.setting SET value = '3' WHERE key = 'OTP_SESSION_FAILURE_BUDGET';
SELECT tests.as_user('kc|dl-p1');
INSERT INTO codes SELECT 'r1', NULL, session_id FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'RETURN');
RESET ROLE;
UPDATE codes SET code = tests.outbox_code(session_id) WHERE k = 'r1';
SELECT tests.as_user('kc|dl-biz');
CREATE TEMP TABLE guesses AS
SELECT n, g.* FROM generate_series(1, 20) n,
       LATERAL api.verify_code((SELECT session_id FROM codes WHERE k = 'r1'),
                                    lpad(((((SELECT code FROM codes WHERE k = 'r1')::int) + n) % 1000000)::text, 6, '0')) g;
RESET ROLE;
SELECT is((SELECT count(*)::int FROM guesses WHERE outcome = 'WRONG_CODE'), 2, 'an attacker gets budget - 1 plain wrong answers');
SELECT is((SELECT min(n)::int FROM guesses WHERE outcome = 'LOCKED'), 3, 'and the third failure locks the session');
SELECT is((SELECT count(*)::int FROM delivery.otp_attempt WHERE session_id = (SELECT session_id FROM codes WHERE k = 'r1')), 3,
          'after which nothing is even tried');
SELECT is((SELECT count(*)::int FROM parties.trust_score_event
            WHERE reason = 'SESSION_LOCKED' AND target = 0 AND inputs ->> 'session_id' = (SELECT session_id FROM codes WHERE k = 'r1')::text),
          1, 'locking the session records its trust outcome once (target 0), as the docs promise');
SELECT tests.as_user('kc|dl-biz');
SELECT results_eq(format($$SELECT verified, outcome FROM api.verify_code(%s, %L)$$, (SELECT session_id FROM codes WHERE k = 'r1'),
                         (SELECT code FROM codes WHERE k = 'r1')),
                  $$VALUES (false, 'LOCKED')$$, 'a locked session refuses the right code too');
RESET ROLE;
SELECT tests.as_user('kc|dl-p1');
SELECT api.cancel_delivery_session((SELECT session_id FROM codes WHERE k = 'r1'));
INSERT INTO codes SELECT 'r2', NULL, session_id FROM api.start_delivery_session((SELECT v FROM ids WHERE k = 'asg'), 'RETURN', 'EMAIL');
RESET ROLE;
UPDATE codes SET code = tests.outbox_code(session_id) WHERE k = 'r2';
SELECT tests.as_user('kc|dl-biz');
SELECT results_eq(format($$SELECT verified FROM api.verify_code(%s, %L, '{"fuel_level": "HALF", "notes": "scratch on door"}')$$,
                         (SELECT session_id FROM codes WHERE k = 'r2'), (SELECT code FROM codes WHERE k = 'r2')),
                  $$VALUES (true)$$, 'a new RETURN session verifies');
RESET ROLE;
SELECT results_eq($$SELECT status, ended_on FROM contracts.assignment WHERE id = (SELECT v FROM ids WHERE k = 'asg')$$,
                  $$VALUES ('RETURNED', current_date)$$, 'the return ends the assignment today');
SET LOCAL ROLE mercato_service;
SELECT api.apply_trust_events();
RESET ROLE;
SELECT is((SELECT trust_score::int FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'p1')), 55,
          'folded in order: the locked session pulls towards 0 (55 -> round(49.5) = 50), the completed return towards 100 (50 -> 55)');
SELECT is((SELECT escrowed - settled_gross - released FROM contracts.contract_line WHERE id = (SELECT v FROM ids WHERE k = 'cline')),
          (SELECT amount FROM ledger.hold WHERE id = (SELECT hold_id FROM contracts.contract_line WHERE id = (SELECT v FROM ids WHERE k = 'cline'))),
          'after the return the escrow hold still equals what the line can earn (contracts.release_unearned ran)');
SELECT is((SELECT count(*)::int FROM contracts.check() WHERE NOT ok), 0, 'contracts invariants hold');
SELECT is((SELECT count(*)::int FROM ledger.check() WHERE NOT ok), 0, 'ledger invariants hold');

SELECT * FROM finish();
ROLLBACK;
