-- Tests for schemas/settlement/rls: a provider reads its own settlements; the business and other providers do not.
BEGIN;
SELECT plan(7);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- Business a rents one car from each of providers p1 and p2 under one ACTIVE contract (tests.rental_world);
-- business b and provider p3 are strangers to it.
INSERT INTO ids SELECT * FROM tests.rental_world('sr');

WITH x AS (INSERT INTO settlement.cycle (provider_id, currency, period_start, period_end, gross, commission, net, reference)
    VALUES ((SELECT v FROM ids WHERE k = 'p1'), 'ETB', current_date - 5, current_date - 1, 500, 50, 450, 'sr-cycle-p1') RETURNING id)
INSERT INTO ids SELECT 'cycle', id FROM x;
SELECT tests.as_user('kc|sr-p1');
SELECT results_eq($$SELECT id FROM settlement.cycle$$, $$SELECT v FROM ids WHERE k = 'cycle'$$, 'a provider reads its own settlement');
SELECT throws_ok($$UPDATE settlement.cycle SET net = 0$$, '42501', NULL, 'and cannot change it');
RESET ROLE;
SELECT tests.as_user('kc|sr-p2');
SELECT is((SELECT count(*)::int FROM settlement.cycle), 0, 'another provider on the same contract does not read it');
RESET ROLE;
SELECT tests.as_user('kc|sr-a');
SELECT is((SELECT count(*)::int FROM settlement.cycle), 0, 'nor does the business (commission is between provider and platform)');
RESET ROLE;
SELECT tests.as_user('kc|sr-admin');
SELECT is((SELECT count(*)::int FROM settlement.cycle), 0, 'nor an admin through the table (admins use settlement.list_cycles)');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM settlement.cycle WHERE id = (SELECT v FROM ids WHERE k = 'cycle')), 1, 'the back office reads all');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'settlement' AND NOT rowsecurity), 0,
          'every settlement table has row-level security on');

SELECT * FROM finish();
ROLLBACK;
