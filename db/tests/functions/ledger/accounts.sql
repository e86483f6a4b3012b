-- Tests for functions/ledger/accounts: open an account (plain or hot), freeze, unfreeze and close it, read its balance.
BEGIN;
SELECT plan(16);

SELECT volatility_is('ledger', 'account_balance', ARRAY['bigint'], 'stable', 'reads are STABLE');

CREATE TEMP TABLE a AS SELECT
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS src,
    ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB') AS biz,
    ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB') AS prov,
    ledger.open_account('PLATFORM', 'fees', 'COMMISSION', 'ETB', false, 0, false, 8) AS hot;
SELECT ledger.transfer('fund-biz', (SELECT src FROM a), (SELECT biz FROM a), 1000);

-- accounts
SELECT is(ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB'), (SELECT biz FROM a), 'opening an account again returns it');
SELECT throws_like($$SELECT ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB', true)$$, 'LEDGER_ACCOUNT_EXISTS:%',
                   'reopening with other settings is refused');
SELECT throws_like($$SELECT ledger.open_account('BUSINESS', 'b9', 'SAVINGS', 'ETB')$$, 'LEDGER_ACCOUNT_INVALID:%', 'unknown purpose');
SELECT throws_like($$SELECT ledger.open_account('BUSINESS', 'b9', 'MAIN', 'XYZ')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'unknown currency');
SELECT is((SELECT count(*) FROM ledger.account_slot WHERE account_id = (SELECT hot FROM a)), 7::bigint, 'a hot account with 8 slots has 7 extra slot rows');

SELECT results_eq($$SELECT * FROM ledger.account_balance((SELECT biz FROM a))$$,
                  $$SELECT (SELECT biz FROM a), 'ETB'::text, 1000::numeric, 0::numeric, 1000::numeric, 'ACTIVE'::text$$,
                  'an account''s balance, held and available, with its currency and status');
SELECT throws_like($$SELECT * FROM ledger.account_balance(999999999)$$, 'LEDGER_UNKNOWN_ACCOUNT:%',
                   'an unknown account has no balance');

-- freeze, unfreeze, close
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

SELECT * FROM finish();
ROLLBACK;
