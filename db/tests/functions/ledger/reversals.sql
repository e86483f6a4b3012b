-- Tests for functions/ledger/reversals: a reversal mirrors every leg, links both ways, replays, happens once.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB') AS prov,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot;
SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000);
-- the transaction reversed below
SELECT ledger.post('post-1', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '100', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '90', 'side', 'CREDIT'),
    jsonb_build_object('account_id', (SELECT hot FROM a), 'amount', 10, 'side', 'CREDIT')));

-- reversals
CREATE TEMP TABLE r AS SELECT (SELECT id FROM ledger.transaction WHERE reference = 'post-1') AS orig;
SELECT ok(ledger.reverse('rev-1', (SELECT orig FROM r)) > 0, 'reverse a post');
SELECT is((SELECT count(*) FROM (SELECT account_id FROM ledger.entry
                                     WHERE transaction_id IN ((SELECT orig FROM r), (SELECT id FROM ledger.transaction WHERE reference = 'rev-1'))
                                     GROUP BY account_id HAVING sum(amount) <> 0) x), 0::bigint, 'the reversal mirrors every leg');
SELECT is(ledger.reverse('rev-1', (SELECT orig FROM r)), (SELECT id FROM ledger.transaction WHERE reference = 'rev-1'),
          'a reversal replays');
SELECT throws_like($$SELECT ledger.reverse('rev-x', 987654321)$$, 'LEDGER_UNKNOWN_TRANSACTION:%', 'unknown transaction');
SELECT is((SELECT reversed_by FROM ledger.transaction WHERE id = (SELECT orig FROM r)),
          (SELECT id FROM ledger.transaction WHERE reversal_of = (SELECT orig FROM r)), 'linked both ways');
SELECT throws_like($$SELECT ledger.reverse('rev-2', (SELECT orig FROM r))$$, 'LEDGER_ALREADY_REVERSED:%', 'once only');
SELECT throws_like($$SELECT ledger.reverse('rev-3', (SELECT id FROM ledger.transaction WHERE reference = 'rev-1'))$$,
                   'LEDGER_NOT_REVERSIBLE:%', 'a reversal is final');
CREATE TEMP TABLE s AS SELECT ledger.open_account('PROVIDER', 'spender', 'MAIN', 'ETB') AS sp;
SELECT ledger.transfer('sp-in', (SELECT biz FROM a), (SELECT sp FROM s), 10);
SELECT ledger.transfer('sp-out', (SELECT sp FROM s), (SELECT prov FROM a), 10);
SELECT throws_like($$SELECT ledger.reverse('rev-sp', (SELECT id FROM ledger.transaction WHERE reference = 'sp-in'))$$,
                   'LEDGER_INSUFFICIENT_FUNDS:%', 'a reversal needs the credited account to still have the money');

SELECT * FROM finish();
ROLLBACK;
