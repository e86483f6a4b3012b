-- Tests for functions/orders/tax: rates appended per code and date (staff with orders.manage, their tenant only), the
-- rate in force on a date, STANDARD by default and 0 without a row, and a line's tax rounded half away from zero.
BEGIN;
SELECT plan(18);

SELECT tests.orders_world('otx');
SELECT tests.as_user('kc|otx-a-admin');
SELECT is((api.set_tax_rate('reduced', 0.05)).tax_code, 'REDUCED', 'staff set a rate (code upper-cased, from today)');
SELECT is(split_part(tests.error_of($$SELECT api.set_tax_rate('REDUCED', 0.06)$$), ' ', 2), 'ORDERS_IMMUTABLE',
          'a second rate of the code from the same date is refused: rates are added, never changed');
SELECT is(split_part(tests.error_of($$SELECT api.set_tax_rate('REDUCED', 0.06, '2001-01-01')$$), ' ', 2),
          'ORDERS_INVALID_INPUT', 'a rate never starts in the past (past orders stay reproducible)');
SELECT is(split_part(tests.error_of($$SELECT api.set_tax_rate('REDUCED', 1.5)$$), ' ', 2), 'ORDERS_INVALID_INPUT',
          'a rate is a fraction below 1');
SELECT is((api.set_tax_rate('REDUCED', 0.07, current_date + 10)).rate, 0.07, 'a future rate is appended');
SELECT is(split_part(tests.error_of(format('SELECT api.set_tax_rate(%L, 0.1, NULL, %s)', 'X', tests.id('b'))), ' ', 2),
          'IDENTITY_TENANT_MISMATCH', 'never in another tenant');
SELECT tests.as_user('kc|otx-a-clerk');
SELECT is(split_part(tests.error_of($$SELECT api.set_tax_rate('X', 0.1)$$), ' ', 2), 'IDENTITY_PERMISSION_DENIED',
          'a user without orders.manage sets no rate');
SELECT tests.as_user('kc|otx-a-buyer');
SELECT is((SELECT count(*) FROM api.tax_rates)::int, 3, 'every user of the tenant reads its rates');
SELECT tests.as_user('kc|otx-b-admin');
SELECT is((SELECT count(*) FROM api.tax_rates)::int, 0, 'another tenant''s staff read none of them');
SELECT tests.as_owner();

SELECT is(orders.tax_rate_on(tests.id('a'), 'REDUCED', current_date), 0.05, 'the rate in force today');
SELECT is(orders.tax_rate_on(tests.id('a'), 'REDUCED', current_date + 10), 0.07, 'the next one from its date on');
SELECT is(orders.tax_rate_on(tests.id('a'), 'REDUCED', current_date - 1), 0::numeric, 'none before the first: 0');
SELECT is(orders.tax_rate_on(tests.id('a'), NULL, current_date), 0.0825, 'no code: STANDARD');
SELECT is(orders.tax_rate_on(tests.id('b'), NULL, current_date), 0::numeric, 'a tenant without rates: 0');
SELECT is(orders.line_tax(10.50, 0.0825, 2), 0.87, '10.50 × 8.25 % = 0.86625 → 0.87');
SELECT is(orders.line_tax(1.50, 0.25, 2), 0.38, 'a half cent (0.375) rounds up');
SELECT is(orders.line_tax(150, 0.05, 0), 8::numeric, 'a currency without minor units: 7.5 → 8 (half away from zero)');
SELECT is(orders.line_tax(0.10, 0.05, 2), 0.01, '0.005 → 0.01');

SELECT * FROM finish();
ROLLBACK;
