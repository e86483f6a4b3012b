-- Tests for functions/ledger/transfers: transfer and post, their idempotency and every refusal of a posting.
BEGIN;
SELECT plan(34);

SELECT is_definer('ledger', 'transfer', ARRAY['text', 'bigint', 'bigint', 'numeric', 'text', 'jsonb'], 'transfer is SECURITY DEFINER');
SELECT volatility_is('ledger', 'transfer', ARRAY['text', 'bigint', 'bigint', 'numeric', 'text', 'jsonb'], 'volatile', 'writes are VOLATILE');

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB') AS prov,
    ledger.open_account('PROVIDER', 'p2', 'MAIN', 'ETB', false, 50) AS od,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'USD') AS usd,
    ledger.open_account('PLATFORM', 'sink', 'REVENUE', 'ETB', false, 0, true) AS recv,
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'JPY', true) AS jpy;
CREATE FUNCTION pg_temp.bal(p bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT balance FROM ledger.account_balance(p) $$;
CREATE FUNCTION pg_temp.avail(p bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT available FROM ledger.account_balance(p) $$;

-- transfers
SELECT ok(ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000) > 0, 'fund the business');
SELECT is(pg_temp.bal((SELECT biz FROM a)), 1000::numeric, 'credited');
SELECT is(pg_temp.bal((SELECT src FROM a)), -1000::numeric, 'the clearing account may go negative');
SELECT is(ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000.00),
          (SELECT id FROM ledger.transaction WHERE reference = 'fund-biz'), 'a replay returns the original transaction');
SELECT is(pg_temp.bal((SELECT biz FROM a)), 1000::numeric, 'and posts nothing');
SELECT is((SELECT count(*) FROM ledger.entry WHERE transaction_id = (SELECT id FROM ledger.transaction WHERE reference = 'fund-biz')),
          2::bigint, 'a transfer is two entries, and the replay added none');
SELECT is((SELECT sum(amount) FROM ledger.entry WHERE transaction_id = (SELECT id FROM ledger.transaction WHERE reference = 'fund-biz')),
          0::numeric, 'that balance');
SELECT results_eq($$SELECT seq, amount, balance_before, balance_after FROM ledger.entry WHERE account_id = (SELECT biz FROM a)$$,
                  $$VALUES (1::bigint, 1000::numeric, 0::numeric, 1000::numeric)$$,
                  'the entry carries the account''s sequence number and running balance');
SELECT throws_like($$SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000, 'other memo')$$,
                   'LEDGER_IDEMPOTENCY_CONFLICT:%', 'a different memo is a different request');
SELECT throws_like($$SELECT ledger.post('fund-biz', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT src FROM a), 'amount', '1000', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '1000', 'side', 'CREDIT')))$$,
    'LEDGER_IDEMPOTENCY_CONFLICT:%', 'references are one namespace across transfer, post, batch, capture and reversal');
SELECT throws_ok($$SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 999)$$, 'PT422', NULL,
                 'the same reference for a different request is refused (422)');
SELECT throws_like($$SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 999)$$,
                   'LEDGER_IDEMPOTENCY_CONFLICT:%', 'with its own code');
SELECT throws_ok($$SELECT ledger.transfer('t-nsf', (SELECT biz FROM a), (SELECT prov FROM a), 1000.01)$$, 'PT402', NULL,
                 'insufficient funds is a 402');
SELECT throws_like($$SELECT ledger.transfer('t-prec', (SELECT biz FROM a), (SELECT prov FROM a), 1.005)$$,
                   'LEDGER_AMOUNT_PRECISION:%', 'ETB has two decimals');
SELECT throws_like($$SELECT ledger.transfer('t-jpy', (SELECT jpy FROM a), (SELECT jpy FROM a), 1)$$,
                   'LEDGER_SAME_ACCOUNT:%', 'an account cannot pay itself');
SELECT throws_like($$SELECT ledger.transfer('t-cur', (SELECT biz FROM a), (SELECT usd FROM a), 1)$$,
                   'LEDGER_CURRENCY_MISMATCH:%', 'currencies must match');
SELECT throws_like($$SELECT ledger.transfer('t-neg', (SELECT biz FROM a), (SELECT prov FROM a), -5)$$,
                   'LEDGER_AMOUNT_INVALID:%', 'negative amounts are refused');
SELECT throws_like($$SELECT ledger.transfer('t-zero', (SELECT biz FROM a), (SELECT prov FROM a), 0)$$,
                   'LEDGER_AMOUNT_INVALID:%', 'zero is refused');
SELECT throws_like($$SELECT ledger.transfer('', (SELECT biz FROM a), (SELECT prov FROM a), 1)$$,
                   'LEDGER_REFERENCE_INVALID:%', 'a reference is required');
SELECT throws_like($$SELECT ledger.transfer('t-unk', 999999999, (SELECT prov FROM a), 1)$$,
                   'LEDGER_UNKNOWN_ACCOUNT:%', 'unknown account');
SELECT throws_like($$SELECT ledger.transfer('t-recv', (SELECT recv FROM a), (SELECT prov FROM a), 1)$$,
                   'LEDGER_RECEIVE_ONLY:%', 'receive-only accounts cannot pay');
SELECT lives_ok($$SELECT ledger.transfer('t-od', (SELECT od FROM a), (SELECT prov FROM a), 50)$$, 'an overdraft account may go to its limit');
SELECT is(pg_temp.avail((SELECT od FROM a)), -50::numeric, 'and shows it');
SELECT throws_like($$SELECT ledger.transfer('t-od2', (SELECT od FROM a), (SELECT prov FROM a), 0.01)$$,
                   'LEDGER_INSUFFICIENT_FUNDS:%', 'but not beyond');
-- multi-leg posts
SELECT ok(ledger.post('post-1', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '100', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '90', 'side', 'CREDIT'),
    jsonb_build_object('account_id', (SELECT hot FROM a), 'amount', 10, 'side', 'CREDIT'))) > 0, 'a three-leg post');
SELECT throws_like($$SELECT ledger.post('post-2', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '100', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '99', 'side', 'CREDIT')))$$,
    'LEDGER_UNBALANCED:%', 'an unbalanced post is refused');
SELECT throws_like($$SELECT ledger.post('post-3', '[{"account_id": 1}]')$$, 'LEDGER_INVALID_LEGS:%', 'malformed legs');
-- Found by the API fuzzer: nested arrays slipped past a lax-mode JSON path check into jsonb_to_recordset (22023).
SELECT throws_like($$SELECT ledger.post('post-nested', '[[], [{}]]')$$, 'LEDGER_INVALID_LEGS:%', 'nested arrays are not legs');
SELECT is(ledger.post('post-1', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '100.00', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '90', 'side', 'CREDIT'),
    jsonb_build_object('account_id', (SELECT hot FROM a), 'amount', 10, 'side', 'CREDIT'))),
    (SELECT id FROM ledger.transaction WHERE reference = 'post-1'), 'a post replays');
SELECT throws_like($$SELECT ledger.post('post-4', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '10', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT usd FROM a), 'amount', '10', 'side', 'CREDIT')))$$,
    'LEDGER_UNBALANCED:%', 'legs balance per currency, not in total');
SELECT throws_like($$SELECT ledger.post('post-5', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '10', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '10', 'side', 'CREDIT')))$$,
    'LEDGER_INVALID_LEGS:%', 'an account''s legs may not net to zero');
SELECT throws_like($$SELECT ledger.post('post-6', jsonb_build_array(
    jsonb_build_object('account_id', (SELECT biz FROM a), 'amount', '10.001', 'side', 'DEBIT'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '10.001', 'side', 'CREDIT')))$$,
    'LEDGER_AMOUNT_PRECISION:%', 'posts check precision too');

SELECT * FROM finish();
ROLLBACK;
