-- Tests for functions/ledger/overdraft_limit: set an overdraft limit, the debit at the new boundary, never below the
-- current debt (held amounts count), precision, hot and closed accounts, audited, the owner alone executes it.
BEGIN;
SELECT plan(11);

CREATE TEMP TABLE a AS
SELECT ledger.open_account('TEST', 'ovd-line', 'CREDIT_LINE', 'KES') AS line,
       ledger.open_account('TEST', 'ovd-sales', 'MAIN', 'KES') AS sales,
       ledger.open_account('TEST', 'ovd-hot', 'MAIN', 'KES', p_slots => 4) AS hot;

SELECT is(ledger.set_overdraft_limit((SELECT line FROM a), 100.00), 100.00, 'the limit is set and returned');
SELECT lives_ok($$SELECT ledger.transfer('ovd-1', (SELECT line FROM a), (SELECT sales FROM a), 100.00)$$,
                'a debit of exactly the limit passes');
SELECT throws_like($$SELECT ledger.transfer('ovd-2', (SELECT line FROM a), (SELECT sales FROM a), 0.01)$$,
                   'LEDGER_INSUFFICIENT_FUNDS:%', 'one minor unit more does not');
SELECT throws_like($$SELECT ledger.set_overdraft_limit((SELECT line FROM a), 99.99)$$, 'LEDGER_OVERDRAFT_BELOW_DEBT:%',
                   'a limit below the current debt is refused');
SELECT ledger.transfer('ovd-3', (SELECT sales FROM a), (SELECT line FROM a), 40.00);
SELECT is(ledger.set_overdraft_limit((SELECT line FROM a), 60.00), 60.00, 'after a payment, down to the debt exactly');
SELECT throws_like($$SELECT ledger.set_overdraft_limit((SELECT line FROM a), 10.001)$$, 'LEDGER_AMOUNT_PRECISION:%',
                   'more decimals than the currency has are refused');
SELECT throws_like($$SELECT ledger.set_overdraft_limit((SELECT line FROM a), -1)$$, 'LEDGER_ACCOUNT_INVALID:%',
                   'a negative limit is refused');
SELECT throws_like($$SELECT ledger.set_overdraft_limit((SELECT hot FROM a), 10)$$, 'LEDGER_HOT_ACCOUNT_POLICY:%',
                   'a hot account cannot overdraw');
SELECT throws_like($$SELECT ledger.set_overdraft_limit(-5, 10)$$, 'LEDGER_UNKNOWN_ACCOUNT:%', 'an unknown account');
SELECT ok((SELECT count(*) FROM audit.event WHERE module = 'ledger' AND action = 'UPDATE'
             AND entity_id = (SELECT line FROM a)::text) >= 2, 'limit changes are audited');
SELECT ok(NOT has_function_privilege('mercato_service', 'ledger.set_overdraft_limit(bigint, numeric)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_user', 'ledger.set_overdraft_limit(bigint, numeric)', 'EXECUTE'),
          'no API role executes it');

SELECT * FROM finish();
ROLLBACK;
