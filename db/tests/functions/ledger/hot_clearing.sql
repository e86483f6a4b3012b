-- Tests for functions/ledger/hot_clearing: a hot account that may go negative (a rail's clearing account) is debited
-- on one slot, as it is credited; its balance is still the sum of its slots; overdraft limits, holds and batch debits
-- stay refused on hot accounts, and frozen, receive-only or foreign-currency debits are refused as before.
BEGIN;
SELECT plan(15);

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('RAIL', 'hc', 'CLEARING', 'ETB', true, 0, false, 8) AS rail,
    ledger.open_account('RAIL', 'hc-in', 'CLEARING', 'ETB', true, 0, true, 4) AS inbox,
    ledger.open_account('USER', 'hc-1', 'MAIN', 'ETB') AS w1,
    ledger.open_account('USER', 'hc-2', 'MAIN', 'USD') AS usd;
GRANT SELECT ON a TO PUBLIC;

SELECT is((SELECT allow_negative::text || '/' || slots FROM ledger.account WHERE id = (SELECT rail FROM a)), 'true/8',
          'a hot account may allow negative balances');
SELECT throws_like($$SELECT ledger.open_account('RAIL', 'hc-od', 'CLEARING', 'ETB', false, 10, false, 8)$$,
                   'LEDGER_HOT_ACCOUNT_POLICY:%', 'but never an overdraft limit');
SELECT throws_like($$UPDATE ledger.account SET overdraft_limit = 10 WHERE id = (SELECT rail FROM a)$$,
                   'LEDGER_HOT_ACCOUNT_POLICY:%', 'not even by a direct UPDATE of the owner');

-- top-ups: the clearing account goes below zero, one slot per debit
SELECT ledger.transfer('hc-top-' || g, (SELECT rail FROM a), (SELECT w1 FROM a), 10) FROM generate_series(1, 3) g;
SELECT is((SELECT balance FROM ledger.account_balance((SELECT rail FROM a))), -30::numeric,
          'the clearing account''s balance is the sum of its slots, below zero');
SELECT is((SELECT count(*) FROM ledger.entry WHERE account_id = (SELECT rail FROM a) AND slot > 0 AND amount < 0), 3::bigint,
          'its debits land on its extra slots, not on the account row');
SELECT is((SELECT balance FROM ledger.account WHERE id = (SELECT rail FROM a)), 0::numeric,
          'so the account row itself is never locked by a debit');
-- a payout back, and a multi-leg posting debiting it (ledger.post goes through the same internals)
SELECT ledger.transfer('hc-out', (SELECT w1 FROM a), (SELECT rail FROM a), 5);
SELECT ledger.post('hc-post', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT rail FROM a), 'amount', '4', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT w1 FROM a), 'amount', '4', 'side', 'CREDIT')));
SELECT is((SELECT balance FROM ledger.account_balance((SELECT rail FROM a))), -29::numeric, 'credits and multi-leg debits add up');
SELECT ok((SELECT bool_and(ok) FROM ledger.check()), 'ledger.check() holds: every slot''s running balance and sequence');
-- reversing a top-up credits it back
SELECT ledger.reverse('hc-rev', (SELECT id FROM ledger.transaction WHERE reference = 'hc-top-1'));
SELECT is((SELECT balance FROM ledger.account_balance((SELECT rail FROM a))), -19::numeric, 'a reversal moves it back');

-- what stays refused
SELECT throws_like($$SELECT ledger.create_hold('hc-hold', (SELECT rail FROM a), 1)$$, 'LEDGER_HOT_ACCOUNT_POLICY:%',
                   'a hot account carries no holds');
SELECT throws_like($$SELECT * FROM ledger.post_batch(jsonb_build_array(jsonb_build_object('reference', 'hc-b',
                       'debit_account_id', (SELECT rail FROM a), 'credit_account_id', (SELECT w1 FROM a), 'amount', '1')))$$,
                   'LEDGER_HOT_ACCOUNT_POLICY:%', 'nor is debited inside a batch');
SELECT throws_like($$SELECT ledger.transfer('hc-in-1', (SELECT inbox FROM a), (SELECT w1 FROM a), 1)$$,
                   'LEDGER_RECEIVE_ONLY:%', 'a receive-only one is never debited');
SELECT throws_like($$SELECT ledger.transfer('hc-usd', (SELECT rail FROM a), (SELECT usd FROM a), 1)$$,
                   'LEDGER_CURRENCY_MISMATCH:%', 'nor into another currency');
SELECT ledger.set_account_status((SELECT rail FROM a), 'FROZEN');
SELECT throws_like($$SELECT ledger.transfer('hc-frozen', (SELECT rail FROM a), (SELECT w1 FROM a), 1)$$,
                   'LEDGER_ACCOUNT_FROZEN:%', 'and a frozen one refuses debits');
SELECT is((SELECT count(*) FROM ledger.transaction WHERE reference IN ('hc-b', 'hc-in-1', 'hc-usd', 'hc-frozen')), 0::bigint,
          'the refusals posted nothing');

SELECT * FROM finish();
ROLLBACK;
