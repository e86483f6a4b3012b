-- Tests for schemas/contracts/rls: the parties see a contract, a provider only its own lines and snapshot.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- Business a rents one car from each of providers p1 and p2 under one ACTIVE contract (tests.rental_world);
-- business b and provider p3 are strangers to it.
INSERT INTO ids SELECT * FROM tests.rental_world('cr');

SELECT tests.as_user('kc|cr-a');
SELECT is((SELECT count(*)::int FROM contracts.contract), 1, 'the business reads its contract');
SELECT isnt((SELECT total_amount FROM api.contracts WHERE id = (SELECT v FROM ids WHERE k = 'k')), NULL, 'with its total');
SELECT is((SELECT count(*)::int FROM contracts.visible_lines()) + (SELECT count(*)::int FROM contracts.assignment)
          + (SELECT count(*)::int FROM contracts.party_provider), 6, 'whole: both lines, both assignments, both providers'' snapshots');
RESET ROLE;
SELECT tests.as_user('kc|cr-p1');
SELECT is((SELECT count(*)::int FROM contracts.contract), 1, 'a provider reads the contract it is party to');
SELECT results_eq($$SELECT id FROM contracts.visible_lines()$$, $$SELECT v FROM ids WHERE k = 'line_p1'$$, 'but only its own line');
SELECT throws_ok($$SELECT 1 FROM contracts.contract_line$$, '42501', NULL, 'lines are sealed: no row filter to count the other''s');
SELECT throws_ok($$SELECT total_amount FROM contracts.contract$$, '42501', NULL, 'nor the header total that sums both prices');
SELECT is((SELECT total_amount FROM api.contracts WHERE id = (SELECT v FROM ids WHERE k = 'k')), NULL, 'api.contracts shows it no total');
SELECT results_eq($$SELECT id FROM contracts.assignment$$, $$SELECT v FROM ids WHERE k = 'as_p1'$$, 'and its own assignment');
SELECT results_eq($$SELECT provider_id FROM contracts.party_provider$$, $$SELECT v FROM ids WHERE k = 'p1'$$,
                  'and its own snapshot, not the other provider''s commission terms');
SELECT is((SELECT count(*)::int FROM contracts.party_business), 1, 'and the business it serves');
RESET ROLE;
SELECT tests.as_user('kc|cr-b');
SELECT is((SELECT count(*)::int FROM contracts.contract) + (SELECT count(*)::int FROM contracts.visible_lines()), 0, 'another business sees nothing');
RESET ROLE;
SELECT tests.as_user('kc|cr-p3');
SELECT is((SELECT count(*)::int FROM contracts.contract) + (SELECT count(*)::int FROM contracts.assignment), 0, 'nor does another provider');
RESET ROLE;
SELECT tests.as_user('kc|cr-admin');
SELECT is((SELECT count(*)::int FROM contracts.contract WHERE id = (SELECT v FROM ids WHERE k = 'k')), 1, 'an admin reads contract headers');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM contracts.visible_lines() WHERE contract_id = (SELECT v FROM ids WHERE k = 'k')), 2, 'the back office reads all');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'contracts' AND NOT rowsecurity), 0,
          'every contracts table has row-level security on');

SELECT * FROM finish();
ROLLBACK;
