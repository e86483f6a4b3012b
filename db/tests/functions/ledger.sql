-- Tests for functions/ledger: every posting rule, idempotency, holds, reversals, history and check().
BEGIN;
SELECT plan(145);

SELECT is_definer('ledger', 'transfer', ARRAY['text', 'bigint', 'bigint', 'numeric', 'text', 'jsonb'], 'transfer is SECURITY DEFINER');
SELECT volatility_is('ledger', 'account_balance', ARRAY['bigint'], 'stable', 'reads are STABLE');
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

-- accounts
SELECT is(ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB'), (SELECT biz FROM a), 'opening an account again returns it');
SELECT throws_like($$SELECT ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB', true)$$, 'LEDGER_ACCOUNT_EXISTS:%',
                   'reopening with other settings is refused');
SELECT throws_like($$SELECT ledger.open_account('BUSINESS', 'b9', 'SAVINGS', 'ETB')$$, 'LEDGER_ACCOUNT_INVALID:%', 'unknown purpose');
SELECT throws_like($$SELECT ledger.open_account('BUSINESS', 'b9', 'MAIN', 'XYZ')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'unknown currency');
SELECT is((SELECT count(*) FROM ledger.account_slot WHERE account_id = (SELECT hot FROM a)), 7::bigint, 'a hot account with 8 slots has 7 extra slot rows');

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
SELECT lives_ok($$SELECT ledger.set_account_status((SELECT prov FROM a), 'FROZEN')$$, 'freeze an account');
SELECT throws_ok($$SELECT ledger.transfer('t-frozen', (SELECT biz FROM a), (SELECT prov FROM a), 1)$$, 'PT423', NULL,
                 'a frozen account refuses postings');
SELECT lives_ok($$SELECT ledger.set_account_status((SELECT prov FROM a), 'ACTIVE')$$, 'unfreeze');
SELECT throws_like($$SELECT ledger.set_account_status((SELECT biz FROM a), 'CLOSED')$$, 'LEDGER_ACCOUNT_NOT_EMPTY:%',
                   'an account with money cannot be closed');
CREATE TEMP TABLE c AS SELECT ledger.open_account('PROVIDER', 'gone', 'MAIN', 'ETB') AS closed;
SELECT lives_ok($$SELECT ledger.set_account_status((SELECT closed FROM c), 'CLOSED')$$, 'an empty account can be closed');
SELECT throws_like($$SELECT ledger.transfer('t-closed', (SELECT biz FROM a), (SELECT closed FROM c), 1)$$,
                   'LEDGER_ACCOUNT_CLOSED:%', 'a closed account refuses postings');
SELECT throws_like($$SELECT ledger.set_account_status((SELECT closed FROM c), 'ACTIVE')$$,
                   'LEDGER_ACCOUNT_CLOSED:%', 'closing is final');
SELECT throws_like($$SELECT ledger.create_hold('hold-frozen', (SELECT closed FROM c), 1)$$,
                   'LEDGER_ACCOUNT_CLOSED:%', 'and refuses holds');

-- hot account: credits spread over slots, summed on read, debits see the sum
SELECT ledger.transfer('hot-' || g, (SELECT biz FROM a), (SELECT hot FROM a), 1) FROM generate_series(1, 5) g;
SELECT is(pg_temp.bal((SELECT hot FROM a)), 5::numeric, 'a hot account''s balance is the sum of its slots');
SELECT is((SELECT count(*) FROM ledger.entry WHERE account_id = (SELECT hot FROM a) AND slot > 0), 5::bigint,
          'credits to a hot account land on its extra slots, not on the account row');
SELECT ok(strpos(current_setting('ledger.hot_accounts'), ' ' || (SELECT hot FROM a) || ':8 ') > 0,
          'the session remembers the hot account and its slot count');
SELECT set_config('ledger.hot_accounts', current_setting('ledger.hot_accounts') || (SELECT prov FROM a) || ':4 ', true);
SELECT ok(ledger.transfer('hot-lie', (SELECT src FROM a), (SELECT prov FROM a), 1) > 0, 'a tampered session cache does no harm');
SELECT is((SELECT slot FROM ledger.entry WHERE account_id = (SELECT prov FROM a)
            AND transaction_id = (SELECT id FROM ledger.transaction WHERE reference = 'hot-lie')), 0::smallint,
          'the plain account is still credited on its own row');
SELECT set_config('ledger.hot_accounts', ' ' || (SELECT prov FROM a) || ':1 ' || (SELECT hot FROM a) || ':x9 ', true);
SELECT ok(ledger.transfer('hot-junk-1', (SELECT src FROM a), (SELECT prov FROM a), 1) > 0
          AND ledger.transfer('hot-junk-2', (SELECT src FROM a), (SELECT hot FROM a), 1) > 0,
          'nor does a malformed one another client left on a pooled backend (no division by zero, no cast error)');
SELECT ledger.transfer('hot-junk-back', (SELECT hot FROM a), (SELECT src FROM a), 1);
SELECT is((SELECT x.balance + (SELECT sum(s.balance) FROM ledger.account_slot s WHERE s.account_id = x.id)
             FROM ledger.account x WHERE x.id = (SELECT hot FROM a)), 5::numeric, 'slot 0 plus the slots is the balance');
SELECT throws_like($$SELECT ledger.transfer('hot-out', (SELECT hot FROM a), (SELECT prov FROM a), 6)$$,
                   'LEDGER_INSUFFICIENT_FUNDS:%', 'a hot account cannot overdraw its total');
SELECT lives_ok($$SELECT ledger.transfer('hot-out', (SELECT hot FROM a), (SELECT prov FROM a), 5)$$, 'but can pay out its total');
SELECT is((SELECT slot FROM ledger.entry e JOIN ledger.transaction t ON t.id = e.transaction_id
            WHERE t.reference = 'hot-out' AND e.account_id = (SELECT hot FROM a)), 0::smallint, 'a hot debit posts on slot 0');
SELECT is((SELECT available FROM ledger.account_balance((SELECT hot FROM a))), 0::numeric, 'leaving zero over all slots');
SELECT throws_like($$SELECT ledger.create_hold('hot-hold', (SELECT hot FROM a), 1)$$, 'LEDGER_HOT_ACCOUNT_POLICY:%',
                   'no holds on hot accounts');

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
SELECT throws_like($$SELECT * FROM ledger.post_batch('[[]]')$$, 'LEDGER_INVALID_BATCH:%', 'nor transfers');
SELECT throws_like($$SELECT ledger.capture_hold('cap-nested', 1, '[[{"account_id": 1, "amount": "1"}]]')$$,
                   'LEDGER_INVALID_LEGS:%', 'nor destinations');
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

-- holds (escrow)
CREATE TEMP TABLE h AS SELECT
    ledger.create_hold('hold-1', (SELECT biz FROM a), 300) AS h1,
    ledger.create_hold('hold-2', (SELECT biz FROM a), 100) AS h2,
    ledger.create_hold('hold-3', (SELECT biz FROM a), 50, now() + interval '1 hour') AS h3;
SELECT is((SELECT held FROM ledger.account_balance((SELECT biz FROM a))), 450::numeric, 'holds raise held');
SELECT is(pg_temp.bal((SELECT biz FROM a)), 895::numeric, 'not balance');
SELECT is(pg_temp.avail((SELECT biz FROM a)), 445::numeric, 'and lower available');
SELECT is(ledger.create_hold('hold-1', (SELECT biz FROM a), 300), (SELECT h1 FROM h), 'hold creation is idempotent');
-- Found by the torture run: a retry of a hold whose expiry has passed since it was created is still a replay.
INSERT INTO ledger.hold (reference, request_hash, account_id, amount, expires_at)
SELECT 'hold-late-retry', md5(concat_ws('|', 'HOLD', biz, trim_scale(5::numeric), '2020-01-01T00:00:00Z'::timestamptz,
                                         quote_nullable(NULL::text)))::uuid, biz, 5, '2020-01-01T00:00:00Z' FROM a;
UPDATE ledger.account SET held = held + 5 WHERE id = (SELECT biz FROM a);   -- as create_hold would have
SELECT is(ledger.create_hold('hold-late-retry', (SELECT biz FROM a), 5, '2020-01-01T00:00:00Z'),
          (SELECT id FROM ledger.hold WHERE reference = 'hold-late-retry'), 'a late retry returns the original hold');
SELECT throws_like($$SELECT ledger.create_hold('hold-new-past', (SELECT biz FROM a), 5, '2020-01-01T00:00:00Z')$$,
                   'LEDGER_HOLD_EXPIRY_INVALID:%', 'while a new hold cannot expire in the past');
SELECT ledger.release_hold('hold-late-retry-release', (SELECT id FROM ledger.hold WHERE reference = 'hold-late-retry'));
SELECT throws_like($$SELECT ledger.create_hold('hold-1', (SELECT biz FROM a), 301)$$, 'LEDGER_IDEMPOTENCY_CONFLICT:%',
                   'a hold reference reused for another hold is refused');
SELECT throws_like($$SELECT ledger.create_hold('hold-big', (SELECT biz FROM a), 445.01)$$, 'LEDGER_INSUFFICIENT_FUNDS:%',
                   'a hold needs available funds');
SELECT throws_like($$SELECT ledger.transfer('t-after-hold', (SELECT biz FROM a), (SELECT prov FROM a), 445.01)$$,
                   'LEDGER_INSUFFICIENT_FUNDS:%', 'held funds cannot be spent');
SELECT ok(ledger.capture_hold('cap-1', (SELECT h1 FROM h), jsonb_build_array(
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '200'),
    jsonb_build_object('account_id', (SELECT hot FROM a), 'amount', '20'))) > 0, 'partial capture to two destinations');
SELECT is((SELECT status FROM ledger.hold WHERE id = (SELECT h1 FROM h)), 'CAPTURED', 'the hold is captured');
SELECT is(pg_temp.bal((SELECT biz FROM a)), 675::numeric, 'the captured part left the account');
SELECT is(pg_temp.avail((SELECT biz FROM a)), 525::numeric, 'the uncaptured remainder was released');
SELECT is(ledger.capture_hold('cap-1', (SELECT h1 FROM h), jsonb_build_array(
    jsonb_build_object('account_id', (SELECT hot FROM a), 'amount', '20.00'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', 200))),
    (SELECT transaction_id FROM ledger.hold WHERE id = (SELECT h1 FROM h)), 'a capture replays (same request in another order)');
SELECT throws_like($$SELECT ledger.capture_hold('cap-1', (SELECT h1 FROM h),
                     jsonb_build_array(jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '220')))$$,
                   'LEDGER_IDEMPOTENCY_CONFLICT:%', 'a capture reference reused for another capture is refused');
SELECT throws_like($$SELECT ledger.release_hold('rel-1', (SELECT h1 FROM h))$$, 'LEDGER_HOLD_RESOLVED:%',
                   'a captured hold cannot be released');
SELECT throws_ok($$SELECT ledger.capture_hold('cap-2', (SELECT h1 FROM h), '[{"account_id": 1, "amount": "1"}]')$$,
                 'PT409', NULL, 'a hold resolves once');
SELECT throws_like($$SELECT ledger.capture_hold('cap-3', (SELECT h2 FROM h),
                     jsonb_build_array(jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '101')))$$,
                   'LEDGER_CAPTURE_EXCEEDS_HOLD:%', 'a capture cannot exceed the hold');
-- How destinations are read: refusals in a fixed order (a non-object anywhere, then the first malformed destination,
-- then a non-positive amount), and duplicates netted per account.
CREATE FUNCTION pg_temp.refusal(p_sql text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE v_msg text; v_detail text;
BEGIN
    EXECUTE p_sql;
    RETURN 'no refusal';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
    RETURN split_part(v_msg, ':', 1) || ' / ' || v_detail;
END $f$;
SELECT is(pg_temp.refusal(format($$SELECT ledger.capture_hold('cap-p1', %s, '[{"account_id": "x", "amount": "1"}, 5]')$$,
                                 (SELECT h2 FROM h))),
          'LEDGER_INVALID_LEGS / every destination must be a JSON object', 'a non-object is refused before anything else');
SELECT is(pg_temp.refusal(format($$SELECT ledger.capture_hold('cap-p2', %s,
                                   '[{"account_id": 7, "amount": "-1"}, {"account_id": "x", "amount": "1"}, {"amount": "1"}]')$$,
                                 (SELECT h2 FROM h))),
          'LEDGER_INVALID_LEGS / destination 2: {"amount": "1", "account_id": "x"}', 'the first malformed destination is named');
SELECT is(pg_temp.refusal(format($$SELECT ledger.capture_hold('cap-p3', %s, '[{"account_id": 7, "amount": "1"}, {"account_id": 8, "amount": 0}]')$$,
                                 (SELECT h2 FROM h))),
          'LEDGER_AMOUNT_INVALID / every destination amount must be positive', 'every destination amount must be positive');
SELECT is(pg_temp.refusal(format($$SELECT ledger.capture_hold('cap-p4', %s, '[{"account_id": 999999999, "amount": "1"}]')$$,
                                 (SELECT h2 FROM h))),
          'LEDGER_UNKNOWN_ACCOUNT / account 999999999', 'an unknown destination is refused');
SELECT is(pg_temp.refusal(format($$SELECT ledger.capture_hold('cap-p5', %s, '[{"account_id": %s, "amount": "1"}]')$$,
                                 (SELECT h2 FROM h), (SELECT usd FROM a))),
          format('LEDGER_CURRENCY_MISMATCH / account %s is in USD, the posting in ETB', (SELECT usd FROM a)),
          'a destination in another currency is refused');
CREATE TEMP TABLE hn AS SELECT ledger.create_hold('hold-net', (SELECT biz FROM a), 60) AS h;
CREATE TEMP TABLE cn AS SELECT ledger.capture_hold('cap-net', (SELECT h FROM hn), jsonb_build_array(
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '30'), jsonb_build_object('account_id', (SELECT src FROM a), 'amount', '5'),
    jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '20.50'))) AS tx;
SELECT results_eq(format('SELECT account_id, amount FROM ledger.entry WHERE transaction_id = %s ORDER BY account_id', (SELECT tx FROM cn)),
                  format('VALUES (%s::bigint, 5::numeric), (%s, -55.50), (%s, 50.50)', (SELECT src FROM a), (SELECT biz FROM a), (SELECT prov FROM a)),
                  'duplicate destinations are netted: one entry per account');
SELECT is(ledger.capture_hold('cap-net', (SELECT h FROM hn), jsonb_build_array(
    jsonb_build_object('account_id', (SELECT src FROM a), 'amount', 5), jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '50.5'))),
    (SELECT tx FROM cn), 'the netted request is the same request: a replay');
SELECT is((SELECT captured_amount FROM ledger.hold WHERE id = (SELECT h FROM hn)), 55.50::numeric, 'the captured total counts every destination');
SELECT lives_ok($$SELECT ledger.release_hold('rel-2', (SELECT h2 FROM h))$$, 'release');
SELECT lives_ok($$SELECT ledger.release_hold('rel-2', (SELECT h2 FROM h))$$, 'replaying the release is fine');
SELECT throws_like($$SELECT ledger.release_hold('rel-2b', (SELECT h2 FROM h))$$, 'LEDGER_HOLD_RESOLVED:%',
                   'another release of a resolved hold is refused');
SELECT throws_like($$SELECT ledger.capture_hold('cap-2b', (SELECT h2 FROM h),
                     jsonb_build_array(jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '1')))$$,
                   'LEDGER_HOLD_RESOLVED:%', 'a released hold cannot be captured');
CREATE TEMP TABLE h4 AS SELECT ledger.create_hold('hold-4', (SELECT biz FROM a), 40) AS h;
SELECT ok(ledger.capture_hold('cap-4', (SELECT h FROM h4),
          jsonb_build_array(jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '40'))) > 0, 'a full capture');
SELECT results_eq($$SELECT status::text, captured_amount FROM ledger.hold WHERE id = (SELECT h FROM h4)$$,
                  $$VALUES ('CAPTURED', 40::numeric)$$, 'records the captured amount');
SELECT throws_like($$UPDATE ledger.hold SET status = 'RELEASED' WHERE id = (SELECT h FROM h4)$$, 'LEDGER_HOLD_RESOLVED:%',
                   'a resolved hold never changes, even for the owner');
SELECT throws_like($$UPDATE ledger.hold SET amount = 1 WHERE id = (SELECT h3 FROM h)$$, 'LEDGER_IMMUTABLE:%',
                   'hold terms cannot change');
-- expiry: now() is fixed inside this test's transaction, so age hold 3 by moving its expiry back (as the owner,
-- with the guard trigger off for that one statement)
ALTER TABLE ledger.hold DISABLE TRIGGER hold_terms_immutable;
UPDATE ledger.hold SET expires_at = now() - interval '1 minute' WHERE id = (SELECT h3 FROM h);
ALTER TABLE ledger.hold ENABLE TRIGGER hold_terms_immutable;
SELECT throws_ok($$SELECT ledger.capture_hold('cap-exp', (SELECT h3 FROM h),
                   jsonb_build_array(jsonb_build_object('account_id', (SELECT prov FROM a), 'amount', '1')))$$,
                 'PT410', NULL, 'an expired hold cannot be captured');
SELECT is(ledger.expire_holds(), 1, 'the sweep expires it');
SELECT is((SELECT status FROM ledger.hold WHERE id = (SELECT h3 FROM h)), 'EXPIRED', 'resolved as EXPIRED');
SELECT is((SELECT held FROM ledger.account_balance((SELECT biz FROM a))), 0::numeric, 'nothing is held any more');
SELECT is(ledger.expire_holds(), 0, 'a second sweep finds nothing');

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

-- history
SELECT is((SELECT count(*) FROM ledger.statement((SELECT biz FROM a), p_limit := 3)), 3::bigint, 'statement pages');
SELECT is((SELECT min(seq) FROM ledger.statement((SELECT biz FROM a), p_after_seq := 3)), 4::bigint, 'keyset pagination by seq');
SELECT is(ledger.balance_at((SELECT biz FROM a), now() - interval '1 day'), 0::numeric, 'nothing before the first entry');
SELECT is(ledger.balance_at((SELECT biz FROM a), clock_timestamp()), pg_temp.bal((SELECT biz FROM a)), 'balance_at(now) = balance');
SELECT is(ledger.balance_at((SELECT biz FROM a), (SELECT posted_at FROM ledger.entry WHERE account_id = (SELECT biz FROM a) AND seq = 2)),
          (SELECT balance_after FROM ledger.entry WHERE account_id = (SELECT biz FROM a) AND seq = 2), 'balance_at an entry''s time');
SELECT results_eq($$SELECT amount FROM ledger.statement((SELECT biz FROM a), p_limit := 2)$$,
                  $$VALUES (1000::numeric), (-1::numeric)$$, 'statement amounts are signed: + credit, - debit');
SELECT is((SELECT count(*) FROM ledger.statement((SELECT biz FROM a),
                                                 (SELECT posted_at FROM ledger.entry WHERE account_id = (SELECT biz FROM a) AND seq = 3))),
          (SELECT seq - 2 FROM ledger.account WHERE id = (SELECT biz FROM a)), 'statement from a time');
SELECT is((SELECT count(*) FROM ledger.statement((SELECT hot FROM a))), (SELECT count(*) FROM ledger.entry WHERE account_id = (SELECT hot FROM a)),
          'a hot account''s statement covers every slot');
SELECT throws_like($$SELECT * FROM ledger.statement((SELECT hot FROM a), p_after_seq := 1)$$, 'CORE_INVALID_ARGUMENT:%',
                   'a hot account is paged by time, not by a per-slot seq');

-- integrity
SELECT is((SELECT count(*) FROM ledger.check() WHERE NOT ok), 0::bigint, 'every check passes');
SELECT is((SELECT count(*) FROM ledger.check()), 10::bigint, 'one row per named check');
ALTER TABLE ledger.account DISABLE TRIGGER USER;
UPDATE ledger.account SET balance = balance + 1 WHERE id = (SELECT prov FROM a);
ALTER TABLE ledger.account ENABLE TRIGGER USER;
SELECT is((SELECT array_agg(check_name ORDER BY check_name) FROM ledger.check() WHERE NOT ok),
          ARRAY['balance_equals_entries']::text[], 'check() finds a balance that disagrees with its entries');
SELECT is((SELECT sample -> 0 ->> 'account_id' FROM ledger.check() WHERE check_name = 'balance_equals_entries'),
          (SELECT prov FROM a)::text, 'and names the offending account in its sample');
ALTER TABLE ledger.account DISABLE TRIGGER USER;
UPDATE ledger.account SET balance = balance - 1 WHERE id = (SELECT prov FROM a);

-- Every other check, each against one injected fault (written with the guards off, then undone): check() reads the
-- entries in two passes and reports only what they flag, so each kind of fault must be seen by a pass.
CREATE FUNCTION pg_temp.failing() RETURNS text[] LANGUAGE sql AS
$$ SELECT coalesce(array_agg(check_name ORDER BY check_name), '{}') FROM ledger.check() WHERE NOT ok $$;
CREATE FUNCTION pg_temp.sample(p_check text) RETURNS jsonb LANGUAGE sql AS
$$ SELECT sample -> 0 FROM ledger.check() WHERE check_name = p_check $$;
CREATE TEMP TABLE fault AS
SELECT (SELECT transaction_id FROM ledger.entry WHERE account_id = (SELECT prov FROM a) ORDER BY seq DESC LIMIT 1) AS prov_last_tx,
       (SELECT max(seq) FROM ledger.entry WHERE account_id = (SELECT prov FROM a) AND slot = 0) AS prov_last_seq,
       (SELECT transaction_id FROM ledger.entry WHERE account_id = (SELECT biz FROM a) AND seq = 2) AS biz_tx2,
       (SELECT id FROM ledger.transaction WHERE reversed_by IS NULL AND reversal_of IS NULL ORDER BY id LIMIT 1) AS plain_tx,
       (SELECT id FROM ledger.transaction ORDER BY id DESC LIMIT 1) AS last_tx;
ALTER TABLE ledger.entry DISABLE TRIGGER USER;
ALTER TABLE ledger.transaction DISABLE TRIGGER USER;

UPDATE ledger.entry SET amount = amount + 1, balance_after = balance_after + 1
 WHERE account_id = (SELECT prov FROM a) AND slot = 0 AND seq = (SELECT prov_last_seq FROM fault);
UPDATE ledger.account SET balance = balance + 1 WHERE id = (SELECT prov FROM a);
SELECT is(pg_temp.failing(), ARRAY['every_transaction_balanced', 'trial_balance_per_currency'],
          'an entry whose leg no longer balances: its transaction and the trial balance fail, nothing else');
SELECT is((pg_temp.sample('every_transaction_balanced') ->> 'transaction_id')::bigint, (SELECT prov_last_tx FROM fault),
          'and the sample names the transaction');
UPDATE ledger.entry SET amount = amount - 1, balance_after = balance_after - 1
 WHERE account_id = (SELECT prov FROM a) AND slot = 0 AND seq = (SELECT prov_last_seq FROM fault);
UPDATE ledger.account SET balance = balance - 1 WHERE id = (SELECT prov FROM a);

UPDATE ledger.entry SET balance_before = balance_before + 1, balance_after = balance_after + 1
 WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;
SELECT is(pg_temp.failing(), ARRAY['running_balances_chain'], 'a running balance that does not chain');
SELECT is((SELECT violations FROM ledger.check() WHERE check_name = 'running_balances_chain'), 2::bigint,
          'both links of the broken chain are counted');
UPDATE ledger.entry SET balance_before = balance_before - 1, balance_after = balance_after - 1
 WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;

UPDATE ledger.entry SET posted_at = posted_at - interval '1 day' WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;
SELECT is(pg_temp.failing(), ARRAY['posted_at_follows_seq'], 'an entry dated before the one it follows');
SELECT is((pg_temp.sample('posted_at_follows_seq') ->> 'seq')::bigint, 2::bigint, 'and the sample names it');
UPDATE ledger.entry SET posted_at = posted_at + interval '1 day' WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;

UPDATE ledger.entry SET transaction_id = -1 WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;
SELECT is(pg_temp.failing(), ARRAY['entries_reference_existing_rows', 'every_transaction_balanced'],
          'an entry naming a missing transaction (which leaves its own transaction unbalanced)');
SELECT is((pg_temp.sample('entries_reference_existing_rows') ->> 'transaction_id')::bigint, -1::bigint, 'and the sample names it');
UPDATE ledger.entry SET transaction_id = (SELECT biz_tx2 FROM fault) WHERE account_id = (SELECT biz FROM a) AND slot = 0 AND seq = 2;

UPDATE ledger.entry SET slot = 3 WHERE account_id = (SELECT prov FROM a) AND slot = 0 AND seq = (SELECT prov_last_seq FROM fault);
SELECT ok('entries_reference_existing_rows' = ANY (pg_temp.failing()), 'an entry on a slot its plain account does not have');
SELECT is((pg_temp.sample('entries_reference_existing_rows') ->> 'slot')::int, 3, 'and the sample names the slot');
UPDATE ledger.entry SET slot = 0 WHERE account_id = (SELECT prov FROM a) AND slot = 3;

INSERT INTO ledger.transaction (reference, kind, request_hash) VALUES ('check-orphan', 'POST', md5('orphan')::uuid);
SELECT is(pg_temp.failing(), ARRAY['every_transaction_has_entries'], 'a transaction without entries');
DELETE FROM ledger.transaction WHERE reference = 'check-orphan';

UPDATE ledger.transaction SET reversed_by = (SELECT last_tx FROM fault) WHERE id = (SELECT plain_tx FROM fault);
SELECT is(pg_temp.failing(), ARRAY['reversals_linked_both_ways'], 'a reversal link without its way back');
UPDATE ledger.transaction SET reversed_by = NULL WHERE id = (SELECT plain_tx FROM fault);

UPDATE ledger.account SET held = held + 1 WHERE id = (SELECT biz FROM a);
SELECT is(pg_temp.failing(), ARRAY['held_equals_open_holds'], 'held funds that no open hold explains');
UPDATE ledger.account SET held = held - 1 WHERE id = (SELECT biz FROM a);

SELECT is(pg_temp.failing(), '{}'::text[], 'every fault undone: every check passes again');

ALTER TABLE ledger.account DROP CONSTRAINT account_available_check;
UPDATE ledger.account SET allow_negative = false WHERE id = (SELECT src FROM a);
SELECT is(pg_temp.failing(), ARRAY['no_account_below_its_limit'], 'an account below its limit');
ALTER TABLE ledger.entry ENABLE TRIGGER USER;
ALTER TABLE ledger.transaction ENABLE TRIGGER USER;
ALTER TABLE ledger.account ENABLE TRIGGER USER;

SELECT * FROM finish();
ROLLBACK;
