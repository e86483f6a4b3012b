-- Tests for functions/payments/fees: the most specific rule in force, rounding and clamps, versions by effective date,
-- the back office alone setting rules, the fee snapshot tied to its ledger posting, and the report.
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pfee') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT is((payments.fee_quote('PAYMENT', 'MPESA', pg_temp.u('merchant'), 'KES', 1000)).fee, 0::numeric, 'no rule: no fee');
SELECT tests.as_user('pfee-merchant');
SELECT throws_like($$SELECT api.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 0)$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a merchant sets no fees');
SELECT tests.as_user('pfee-admin');
SELECT tests.put('any', api.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 1.5, 0, 10, 500));
SELECT tests.put('mpesa', api.set_fee_rule(NULL, 'PAYMENT', 'MPESA', 'KES', 2, 5));
SELECT throws_like($$SELECT api.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 1, 0.001)$$, 'PAYMENTS_INVALID_INPUT:%',
                   'a fixed fee finer than the currency''s cents is refused');
SELECT throws_like($$SELECT api.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 1, 0, 0, NULL, now() - interval '1 day')$$,
                   'PAYMENTS_INVALID_INPUT:%', 'fees are never back-dated');
SELECT tests.as_owner();

SELECT is(payments.fee_quote('PAYMENT', 'KCB', NULL, 'KES', 1000.33), ROW(15.00::numeric, tests.id('any')),
          'the catalog''s any-rail rule: 1.5 % of 1000.33 rounded to cents');
SELECT is((payments.fee_quote('PAYMENT', 'KCB', NULL, 'KES', 100)).fee, 10::numeric, 'clamped up to the minimum');
SELECT is((payments.fee_quote('PAYMENT', 'KCB', NULL, 'KES', 90000)).fee, 500::numeric, 'clamped down to the maximum');
SELECT is(payments.fee_quote('PAYMENT', 'MPESA', NULL, 'KES', 1000), ROW(25::numeric, tests.id('mpesa')),
          'the rail''s own rule wins: 2 % + 5');
SELECT is((payments.fee_quote('PAYMENT', 'MPESA', NULL, 'KES', 3)).fee, 3::numeric, 'a fee never exceeds the amount');

-- a merchant profile overrides the catalog, from its effective date
SELECT tests.as_user('pfee-admin');
SELECT tests.put('vip', api.set_fee_rule(pg_temp.u('merchant'), 'PAYMENT', NULL, 'KES', 0.5));
SELECT tests.put('vip2', api.set_fee_rule(pg_temp.u('merchant'), 'PAYMENT', NULL, 'KES', 0.25, 0, 0, NULL,
                                               now() + interval '30 days'));
SELECT tests.as_owner();
SELECT is(payments.fee_quote('PAYMENT', 'MPESA', pg_temp.u('merchant'), 'KES', 1000), ROW(5::numeric, tests.id('vip')),
          'the merchant''s profile overrides even the rail''s catalog rule');
SELECT is(payments.fee_quote('PAYMENT', 'MPESA', pg_temp.u('merchant'), 'KES', 1000, now() + interval '31 days'),
          ROW(2.5::numeric, tests.id('vip2')), 'its next version applies from its date');

-- the snapshot, tied to the ledger posting that moved the fee
SELECT ledger.transfer('test:fee:1', payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'),
                       payments.revenue_account('KES'), 5) FROM ledger.transfer('test:fee:fund',
       ledger.open_account('PLATFORM', 'test', 'EXTERNAL', 'KES', true), payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'), 100);
SELECT payments.record_fee('test:fee:1', 'PAYMENT', 'MPESA', pg_temp.u('merchant'), 'KES', 1000, 5, tests.id('vip'), 'test', 1);
SELECT is(payments.record_fee('test:fee:1', 'PAYMENT', 'MPESA', pg_temp.u('merchant'), 'KES', 1000, 5, tests.id('vip'), 'test', 1),
          (SELECT id FROM payments.fee_charge WHERE reference = 'test:fee:1'), 'recording it again is the same charge');
SELECT throws_like($$SELECT payments.record_fee('test:fee:none', 'PAYMENT', NULL, NULL, 'KES', 10, 1, NULL, 'test', 1)$$,
                   'PAYMENTS_INVALID_INPUT:%', 'no charge without the posting that moved it');
SELECT is((SELECT (charges, base_amount, fees)::text FROM payments.fee_report(pg_temp.u('merchant'), now() - interval '1 hour',
                                                                      now() + interval '1 hour')),
          '(1,1000,5)', 'the report sums the merchant''s charges in the period');
SELECT * FROM finish();
ROLLBACK;
