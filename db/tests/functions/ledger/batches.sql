-- Tests for functions/ledger/batches: a batch posts all or nothing, replays, and refuses what a transfer refuses.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB') AS prov,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot;

-- batches: all or nothing
CREATE TEMP TABLE b AS SELECT jsonb_build_array(
    jsonb_build_object('reference', 'bat-1', 'debit_account_id', (SELECT src FROM a), 'credit_account_id', (SELECT prov FROM a), 'amount', '5'),
    jsonb_build_object('reference', 'bat-2', 'debit_account_id', (SELECT prov FROM a), 'credit_account_id', (SELECT biz FROM a), 'amount', '3'),
    jsonb_build_object('reference', 'bat-3', 'debit_account_id', (SELECT src FROM a), 'credit_account_id', (SELECT hot FROM a), 'amount', '2',
                       'memo', 'fees')) AS doc;
CREATE TEMP TABLE br AS SELECT * FROM ledger.post_batch((SELECT doc FROM b));
SELECT results_eq($$SELECT reference FROM br$$, $$VALUES ('bat-1'), ('bat-2'), ('bat-3')$$,
                  'a batch returns one row per transfer, in input order');
SELECT is((SELECT count(*) FROM br JOIN ledger.transaction t ON t.id = br.transaction_id AND t.reference = br.reference), 3::bigint,
          'each with its transaction');
SELECT results_eq($$SELECT * FROM ledger.post_batch((SELECT doc FROM b))$$, $$SELECT * FROM br$$,
                  'a replayed batch returns the same transactions');
SELECT is((SELECT count(*) FROM ledger.transaction WHERE reference LIKE 'bat-%'), 3::bigint, 'and posts nothing');
SELECT throws_like($$SELECT * FROM ledger.post_batch(jsonb_build_array(
    jsonb_build_object('reference', 'bat-1', 'debit_account_id', (SELECT src FROM a), 'credit_account_id', (SELECT prov FROM a), 'amount', '6')))$$,
    'LEDGER_IDEMPOTENCY_CONFLICT:%', 'a batch reference reused for another transfer is refused');
SELECT throws_like($$SELECT * FROM ledger.post_batch(jsonb_build_array(
    jsonb_build_object('reference', 'bat-hot', 'debit_account_id', (SELECT hot FROM a), 'credit_account_id', (SELECT prov FROM a), 'amount', '1')))$$,
    'LEDGER_HOT_ACCOUNT_POLICY:%', 'a batch cannot debit a hot account');
SELECT throws_like($$SELECT * FROM ledger.post_batch(jsonb_build_array(
    jsonb_build_object('reference', 'bat-4', 'debit_account_id', (SELECT src FROM a), 'credit_account_id', (SELECT prov FROM a), 'amount', '5'),
    jsonb_build_object('reference', 'bat-5', 'debit_account_id', (SELECT biz FROM a), 'credit_account_id', (SELECT prov FROM a), 'amount', '1000000')))$$,
    'LEDGER_INSUFFICIENT_FUNDS:%', 'one bad transfer refuses the batch');
SELECT is((SELECT count(*) FROM ledger.transaction WHERE reference = 'bat-4'), 0::bigint, 'and nothing of it is posted');


-- Found by the API fuzzer: nested arrays slipped past a lax-mode JSON path check into jsonb_to_recordset (22023).
SELECT throws_like($$SELECT * FROM ledger.post_batch('[[]]')$$, 'LEDGER_INVALID_BATCH:%', 'nested arrays are not transfers');

SELECT * FROM finish();
ROLLBACK;
