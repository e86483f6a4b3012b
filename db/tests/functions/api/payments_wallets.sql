-- Tests for functions/api/payments_wallets: the wallet calls as PostgREST makes them (a user's JWT), a statement after
-- money moved, and who may call what.
BEGIN;
SELECT plan(6);

CREATE TEMP TABLE w AS SELECT tests.payments_world('paw') AS j;
GRANT SELECT ON w TO PUBLIC;
SELECT tests.as_user('paw-payer');
SELECT tests.put('pw', api.open_wallet('KES'));
SELECT tests.as_owner();
SELECT ledger.transfer('test:paw:fund', ledger.open_account('PLATFORM', 'test', 'EXTERNAL', 'KES', true), tests.id('pw'), 250);
SELECT tests.as_user('paw-payer');
SELECT is((SELECT (balance, available)::text FROM api.my_wallets()), '(250,250)', 'my wallets show the ledger balance');
SELECT is((SELECT (amount, balance_after, reference)::text FROM api.wallet_statement(tests.id('pw'))),
          '(250,250,test:paw:fund)', 'the statement is the ledger''s, with the running balance');
SELECT is(api.wallet_limits(tests.id('pw')) ->> 'max_balance', '100000.00', 'the limits of the wallet''s level');
SELECT is(api.fee_quote('PAYMENT', 'MPESA', NULL, 'KES', 100), 0::numeric, 'anyone signed in quotes a fee');
SELECT tests.as_user('paw-clerk');
SELECT throws_like(format('SELECT * FROM api.wallet_statement(%s)', tests.id('pw')), 'PAYMENTS_UNKNOWN_WALLET:%',
                   'nobody else reads the statement');
SELECT tests.as_owner();
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.my_wallets()', 'EXECUTE'), 'not anonymously');
SELECT * FROM finish();
ROLLBACK;
