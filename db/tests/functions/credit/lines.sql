-- Tests for functions/credit/lines: opening a line (its ledger account, the vendor ADMIN or the back office), the limit
-- at the boundary (exactly the available amount passes, one minor unit more fails; a ledger transfer from the line
-- account stands for an order), the exposure cap and the risk band, never below the debt, a downgrade freezing a line
-- in debt, freeze / unfreeze / close, and who sees which line.
BEGIN;
SELECT plan(31);

CREATE TEMP TABLE w AS SELECT tests.credit_world('cln', 100000, 700) AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE TEMP TABLE s AS SELECT ledger.open_account('TEST', 'cln-sales', 'MAIN', 'INR', true) AS sales;
CREATE TEMP TABLE l (k text PRIMARY KEY, id bigint);
GRANT SELECT, INSERT ON s, l TO PUBLIC;
CREATE FUNCTION pg_temp.l(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT id FROM l WHERE l.k = $1 $f$;
CREATE FUNCTION pg_temp.acct(k text) RETURNS bigint LANGUAGE sql AS $f$
    SELECT account_id FROM credit.credit_line WHERE id = (SELECT id FROM l WHERE l.k = $1) $f$;
-- an order on credit, as the orders of a later change will post it
CREATE FUNCTION pg_temp.spend(k text, amount numeric, ref text) RETURNS bigint LANGUAGE sql AS $f$
    SELECT ledger.transfer(ref, pg_temp.acct(k), (SELECT sales FROM s), amount, NULL, '{"credit_type": "ORDER_CREDIT"}') $f$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pg_temp TO PUBLIC;

-- who opens -----------------------------------------------------------------------------------------------------------
SELECT tests.as_user('cln-vclerk');
SELECT throws_like($$SELECT api.open_credit_line(pg_temp.u('vendor'), pg_temp.u('retailer'), 1000)$$,
                   'CREDIT_UNKNOWN_VENDOR:%', 'a vendor''s STAFF opens no line');
SELECT tests.as_user('cln-pending');
SELECT throws_like($$SELECT api.open_credit_line(pg_temp.u('pending'), pg_temp.u('retailer'), 1000)$$,
                   'CREDIT_VENDOR_NOT_APPROVED:%', 'a vendor not approved opens no line');
SELECT tests.as_user('cln-vendor');
INSERT INTO l VALUES ('main', api.open_credit_line(pg_temp.u('vendor'), pg_temp.u('retailer'), 1000.00, 45));
SELECT tests.as_owner();
SELECT is((SELECT (a.owner_type, a.owner_id = l.id::text, a.purpose, a.currency, a.overdraft_limit, l.terms_days, l.status)::text
             FROM credit.credit_line l JOIN ledger.account a ON a.id = l.account_id WHERE l.id = pg_temp.l('main')),
          '(CREDIT_LINE,t,CREDIT_LINE,INR,1000.00,45,ACTIVE)',
          'the vendor''s OWNER opens a line: its own CREDIT_LINE ledger account whose overdraft limit is the limit');
SELECT tests.as_user('cln-vendor');
SELECT throws_like($$SELECT api.open_credit_line(pg_temp.u('vendor'), pg_temp.u('retailer'), 10)$$, 'CREDIT_LINE_EXISTS:%',
                   'one line per vendor and retailer');
SELECT throws_like($$SELECT api.open_credit_line(pg_temp.u('vendor'), pg_temp.u('unscored'), 10)$$, 'CREDIT_BAND_LIMIT:%',
                   'an unscored retailer gets no credit');
SELECT lives_ok($$INSERT INTO l VALUES ('zero', api.open_credit_line(pg_temp.u('vendor'), pg_temp.u('unscored'), 0))$$,
                'but a line with limit 0');

-- the boundary --------------------------------------------------------------------------------------------------------
SELECT tests.as_owner();
SELECT pg_temp.spend('main', 400.00, 'cln-o1');
SELECT tests.as_user('cln-retailer');
SELECT is((SELECT (credit_limit, debt, available)::text FROM api.credit_line(pg_temp.l('main'))), '(1000.00,400.00,600.00)',
          'debt and available credit come from the ledger');
SELECT tests.as_owner();
SELECT throws_like($$SELECT pg_temp.spend('main', 600.01, 'cln-o2')$$, 'LEDGER_INSUFFICIENT_FUNDS:%',
                   'an order one minor unit above the available credit fails');
SELECT lives_ok($$SELECT pg_temp.spend('main', 600.00, 'cln-o3')$$, 'an order of exactly the available credit passes');
SELECT is((SELECT available FROM credit.get_line(pg_temp.l('main'))), 0.00, 'nothing is left');

-- limits: never below the debt, the band, the cap ----------------------------------------------------------------------------
SELECT tests.as_user('cln-vendor');
SELECT throws_like($$SELECT api.set_credit_limit(pg_temp.l('main'), 999.99)$$, 'LEDGER_OVERDRAFT_BELOW_DEBT:%',
                   'a limit is never set below the current debt');
SELECT throws_like($$SELECT api.set_credit_limit(pg_temp.l('main'), 200000.01)$$, 'CREDIT_BAND_LIMIT:%',
                   'nor raised above the band of the retailer''s score (MEDIUM: 200000)');
SELECT throws_like($$SELECT api.set_credit_limit(pg_temp.l('main'), 100000.01)$$, 'CREDIT_EXPOSURE_CAP:%',
                   'nor above the vendor''s exposure cap');
SELECT is(api.set_credit_limit(pg_temp.l('main'), 100000.00), 100000.00, 'up to the cap exactly');
SELECT tests.as_user('cln-operator');
SELECT api.set_retailer_score(pg_temp.u('unscored'), 800, 'scored now');
SELECT tests.as_user('cln-vendor');
SELECT throws_like($$SELECT api.set_credit_limit(pg_temp.l('zero'), 0.01)$$, 'CREDIT_EXPOSURE_CAP:%',
                   'the cap counts every open line of the vendor');
SELECT tests.as_user('cln-operator');
SELECT throws_like($$SELECT api.set_exposure_cap(pg_temp.u('vendor'), 99999.99)$$, 'CREDIT_EXPOSURE_CAP:%',
                   'a cap is never lowered below the lines'' limits');
SELECT lives_ok($$SELECT api.set_exposure_cap(pg_temp.u('vendor'), 150000)$$, 'the back office raises a cap');
SELECT tests.as_user('cln-retailer');
SELECT throws_like($$SELECT api.set_credit_limit(pg_temp.l('main'), 5000)$$, 'CREDIT_UNKNOWN_LINE:%',
                   'the retailer does not set its own limit');

-- a downgrade lowers the limit, never below the debt: the line freezes instead ---------------------------------------------
SELECT tests.as_user('cln-operator');
SELECT api.set_retailer_score(pg_temp.u('retailer'), 560, 'late payments');
SELECT is((SELECT (credit_limit, status)::text FROM api.credit_line(pg_temp.l('main'))), '(50000.00,ACTIVE)',
          'a downgrade lowers a line to the new band when its debt is below it');
SELECT api.set_retailer_score(pg_temp.u('retailer'), 300, 'default');
SELECT is((SELECT (credit_limit, debt, available, status)::text FROM api.credit_line(pg_temp.l('main'))),
          '(1000.00,1000.00,0.00,FROZEN)', 'a line in debt above the band keeps its debt as limit and freezes');
SELECT tests.as_user('cln-vendor');
SELECT throws_like($$SELECT api.set_credit_line_status(pg_temp.l('main'), 'ACTIVE')$$, 'CREDIT_BAND_LIMIT:%',
                   'it is not unfrozen with a limit above the band');

-- freeze, close ---------------------------------------------------------------------------------------------------------------
SELECT tests.as_owner();
SELECT ledger.transfer('cln-pay', (SELECT sales FROM s), pg_temp.acct('main'), 1000.00, NULL, '{"credit_type": "PAYMENT_DEBIT"}');
SELECT tests.as_user('cln-vendor');
SELECT is(api.set_credit_limit(pg_temp.l('main'), 0), 0.00, 'once paid, the limit may go down to 0');
SELECT is(api.set_credit_line_status(pg_temp.l('main'), 'ACTIVE'), 'ACTIVE', 'and the line is unfrozen');
SELECT is(api.set_credit_line_status(pg_temp.l('zero'), 'FROZEN', 'paused'), 'FROZEN', 'the vendor freezes a line');
SELECT tests.as_owner();
SELECT ledger.transfer('cln-over', (SELECT sales FROM s), pg_temp.acct('main'), 5.00);
SELECT tests.as_user('cln-vendor');
SELECT throws_like($$SELECT api.set_credit_line_status(pg_temp.l('main'), 'CLOSED')$$, 'CREDIT_LINE_NOT_SETTLED:%',
                   'a line with a balance (here a credit) does not close');
SELECT tests.as_owner();
SELECT ledger.transfer('cln-back', pg_temp.acct('main'), (SELECT sales FROM s), 5.00);
SELECT tests.as_user('cln-vendor');
SELECT is(api.set_credit_line_status(pg_temp.l('main'), 'CLOSED', 'relationship ended'), 'CLOSED', 'at zero it closes');
SELECT throws_like($$SELECT api.set_credit_line_status(pg_temp.l('main'), 'ACTIVE')$$, 'CREDIT_LINE_STATE:%',
                   'closing is final');
SELECT tests.as_owner();
SELECT is((SELECT status FROM ledger.account WHERE id = pg_temp.acct('main'))::text, 'CLOSED',
          'and its ledger account closed with it');

-- who sees ------------------------------------------------------------------------------------------------------------------
SELECT tests.as_user('cln-stranger');
SELECT throws_like($$SELECT * FROM api.credit_line(pg_temp.l('main'))$$, 'CREDIT_UNKNOWN_LINE:%',
                   'a stranger sees no line');
SELECT is((SELECT count(*)::int FROM api.my_credit_lines()), 0, 'and lists none');
SELECT tests.as_user('cln-unscored');
SELECT is((SELECT array_agg(line_id) FROM api.my_credit_lines()), ARRAY[pg_temp.l('zero')],
          'a retailer''s member lists its own lines only');

SELECT * FROM finish();
ROLLBACK;
