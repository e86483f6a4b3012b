-- Tests for functions/ledger/posting: the internals every posting shares; hot accounts (credits spread over slots,
-- debits checked against their sum, the session's cache of them only a hint).
BEGIN;
SELECT plan(22);

-- internals: owner only, called by the SECURITY DEFINER use cases
SELECT isnt_definer('ledger', 'post_debit', ARRAY['bigint', 'numeric', 'text'], 'the internals run as their caller');
SELECT is(ledger.parse_amount('"12.50"'), 12.50, 'an amount from a decimal string');
SELECT is(ledger.parse_amount('"1e3"'), NULL::numeric, 'not from an exponent');
SELECT is(ledger.parse_id('7'), 7::bigint, 'an id from a JSON number');
SELECT is(ledger.parse_id('"-7"'), NULL::bigint, 'never a negative one');
SELECT throws_like($$SELECT ledger.check_reference(repeat('r', 201))$$, 'LEDGER_REFERENCE_INVALID:%',
                   'a reference has at most 200 characters');
SELECT throws_like($$SELECT ledger.check_amount(1e15)$$, 'LEDGER_AMOUNT_INVALID:%', 'amounts stay below 10^15');
SELECT throws_like($$SELECT ledger.check_memo(repeat('m', 501))$$, 'CORE_INVALID_ARGUMENT:%',
                   'a memo has at most 500 characters');
SELECT is(ledger.build_reference('contract-line', 12, 'hold', '450', '0'), 'contract-line:12:hold:450:0',
          'a reference names entity, id, step and parts');
SELECT is(ledger.cached_slots(' 5:8 7:99 ', 5), 8::smallint, 'the session cache gives a hot account''s slot count');
SELECT is(ledger.cached_slots(' 5:8 7:99 ', 7), NULL::smallint, 'but nothing a hot account could not have');

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB') AS prov,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot;
CREATE FUNCTION pg_temp.bal(p bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT balance FROM ledger.account_balance(p) $$;
SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000);

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

SELECT * FROM finish();
ROLLBACK;
