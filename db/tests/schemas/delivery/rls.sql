-- Tests for schemas/delivery/rls: a handover session is seen by its business and provider; codes by nobody.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- Business a rents one car from each of providers p1 and p2 under one ACTIVE contract (tests.rental_world);
-- business b and provider p3 are strangers to it.
INSERT INTO ids SELECT * FROM tests.rental_world('dr');

WITH x AS (INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
    VALUES ((SELECT v FROM ids WHERE k = 'as_p1'), 'DELIVERY', (SELECT v FROM ids WHERE k = 'a'), (SELECT v FROM ids WHERE k = 'p1'),
            (SELECT v FROM ids WHERE k = 'car1'), 5) RETURNING id)
INSERT INTO ids SELECT 'sess', id FROM x;
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
