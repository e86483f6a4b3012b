-- Tests for functions/ledger/history: statements (paged by seq or by time) and balances as of an instant.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot;
CREATE FUNCTION pg_temp.bal(p bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT balance FROM ledger.account_balance(p) $$;
SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000);
SELECT ledger.transfer('hot-' || g, (SELECT biz FROM a), (SELECT hot FROM a), 1) FROM generate_series(1, 5) g;

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

SELECT * FROM finish();
ROLLBACK;
