-- Tests for schemas/ledger/rls: owners read their accounts, entries, holds and transactions; nobody else does.
BEGIN;
SELECT plan(12);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.register_user(s, 'BUSINESS', s) FROM (VALUES ('kc|lr-a'), ('kc|lr-b')) x(s);
SELECT tests.as_user('kc|lr-a'); INSERT INTO ids SELECT 'a', api.register_business('A', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|lr-b'); INSERT INTO ids SELECT 'b', api.register_business('B', 'RETAIL'); RESET ROLE;
INSERT INTO ids SELECT 'wa', wallet_account_id FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'a');
INSERT INTO ids SELECT 'tx', parties.top_up_business((SELECT v FROM ids WHERE k = 'a'), 500, 'lr-topup-a');
INSERT INTO ids SELECT 'hold', ledger.create_hold('lr-hold-a', (SELECT v FROM ids WHERE k = 'wa'), 100);
INSERT INTO ids SELECT 'hot', ledger.open_account('PLATFORM', 'lr-fees', 'COMMISSION', 'ETB', p_slots => 4);
SELECT ledger.transfer('lr-fee', (SELECT v FROM ids WHERE k = 'wa'), (SELECT v FROM ids WHERE k = 'hot'), 7);

SELECT tests.as_user('kc|lr-a');
SELECT results_eq($$SELECT id FROM ledger.account$$, $$SELECT v FROM ids WHERE k = 'wa'$$, 'a business reads its wallet only');
SELECT results_eq($$SELECT amount FROM ledger.entry ORDER BY seq$$, $$VALUES (500::numeric), (-7::numeric)$$,
                  'and its own legs (top-up, fee), not the other accounts'' legs');
SELECT is((SELECT count(*)::int FROM ledger.transaction), 2, 'and the transactions touching it');
SELECT results_eq($$SELECT id FROM ledger.hold$$, $$SELECT v FROM ids WHERE k = 'hold'$$, 'and its holds');
SELECT throws_ok($$SELECT 1 FROM ledger.account_slot$$, '42501', NULL, 'hot-account slots stay back-office only');
SELECT throws_ok($$UPDATE ledger.account SET balance = balance + 1$$, '42501', NULL, 'reading is all it may do');
RESET ROLE;

SELECT tests.as_user('kc|lr-b');
SELECT is((SELECT count(*)::int FROM ledger.entry) + (SELECT count(*)::int FROM ledger.transaction)
          + (SELECT count(*)::int FROM ledger.hold), 0, 'another business sees none of it');
SELECT is((SELECT count(*)::int FROM ledger.account WHERE id = (SELECT v FROM ids WHERE k = 'wa')), 0, 'not even the wallet''s existence');
SELECT is(ledger.slot_total((SELECT v FROM ids WHERE k = 'hot')), 0::numeric,
          'slot_total answers 0 about a hot account the caller does not own');
RESET ROLE;

SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM ledger.transaction WHERE id = (SELECT v FROM ids WHERE k = 'tx')), 1, 'the back office reads everything');
SELECT is((SELECT balance FROM api.accounts WHERE id = (SELECT v FROM ids WHERE k = 'hot')), 7::numeric,
          'including a hot account''s balance over its slots (api.accounts)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'ledger' AND NOT rowsecurity), 0,
          'every ledger table has row-level security on');

SELECT * FROM finish();
ROLLBACK;
