-- Tests for schemas/delivery/rls: a handover session is seen by its business and provider; codes by nobody.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- Business a rents one car from each of providers p1 and p2 under one ACTIVE contract; p1 opens the handover of its
-- car; business b and provider p3 are strangers to it. All through the api (tests.* builders).
INSERT INTO ids SELECT 'a', tests.new_business('kc|dr-a', 'A');
INSERT INTO ids SELECT 'b', tests.new_business('kc|dr-b', 'B');
INSERT INTO ids SELECT 'p' || n, tests.new_provider('kc|dr-p' || n, 'P' || n) FROM generate_series(1, 3) n;
INSERT INTO ids SELECT 'car' || n, tests.insured_vehicle('kc|dr-p' || n, 'dr-' || n) FROM generate_series(1, 2) n;
INSERT INTO ids SELECT 'rfq', tests.new_rfq('kc|dr-a', '[{"vehicle_type": "SEDAN", "quantity": 2}]', 'two cars');
SELECT tests.bid('kc|dr-p' || n, (SELECT v FROM ids WHERE k = 'rfq'), 100) FROM generate_series(1, 2) n;
SELECT tests.close_bidding(v) FROM ids WHERE k = 'rfq';
SELECT tests.award_all('kc|dr-a', v) FROM ids WHERE k = 'rfq';
INSERT INTO ids SELECT 'k', tests.active_contract('kc|dr-a', v) FROM ids WHERE k = 'rfq';
INSERT INTO ids SELECT 'as_p' || n, tests.assign('kc|dr-p' || n, (SELECT v FROM ids WHERE k = 'k'), (SELECT v FROM ids WHERE k = 'car' || n))
  FROM generate_series(1, 2) n;
INSERT INTO ids SELECT 'sess', session_id FROM tests.delivery_session('kc|dr-p1', (SELECT v FROM ids WHERE k = 'as_p1'));
SELECT tests.as_user('kc|dr-a');
SELECT results_eq($$SELECT id FROM delivery.session$$, $$SELECT v FROM ids WHERE k = 'sess'$$, 'the business reads its handover session');
SELECT throws_ok($$SELECT 1 FROM delivery.otp$$, '42501', NULL, 'but no code row, not even a hash');
SELECT throws_ok($$SELECT 1 FROM delivery.otp_key$$, '42501', NULL, 'nor the HMAC keys');
RESET ROLE;
SELECT tests.as_user('kc|dr-p1');
SELECT is((SELECT count(*)::int FROM delivery.session), 1, 'the provider reads it too');
RESET ROLE;
SELECT tests.as_user('kc|dr-p2');
SELECT is((SELECT count(*)::int FROM delivery.session) + (SELECT count(*)::int FROM delivery.handover), 0,
          'another provider on the same contract does not');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM delivery.session WHERE id = (SELECT v FROM ids WHERE k = 'sess')), 1, 'the back office reads sessions');
SELECT throws_ok($$SELECT 1 FROM delivery.otp_attempt$$, '42501', NULL, 'but no code or attempt either');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'delivery' AND NOT rowsecurity), 0,
          'every delivery table has row-level security on');

SELECT * FROM finish();
ROLLBACK;
