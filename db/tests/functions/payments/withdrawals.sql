-- Tests for functions/payments/withdrawals: who may withdraw, the daily limit per UTC day, the available balance,
-- the hold of amount + fee, capture on success (clearing and revenue), release on failure.
BEGIN;
SELECT plan(10);

CREATE TEMP TABLE w AS SELECT tests.rails_world('wd', 50000) AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.as_user('wd-admin');
SELECT api.set_fee_rule(NULL, 'WITHDRAWAL', 'MPESA', 'KES', 1, 5);
SELECT tests.as_user('wd-payer');
SELECT tests.put('w1', (api.request_withdrawal(pg_temp.u('wallet'), 'MPESA', 15000, '254712345678') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is((SELECT (status, fee, tests.held(pg_temp.u('wallet')))::text FROM payments.withdrawal WHERE id = tests.id('w1')),
          '(PENDING,155.00,15155.00)', 'a hold covers the amount and the 1 % + 5 fee');
SELECT tests.as_user('wd-payer');
SELECT throws_like(format('SELECT api.request_withdrawal(%s, ''MPESA'', 5001, ''254712345678'')', pg_temp.u('wallet')),
                   'PAYMENTS_LIMIT_EXCEEDED:%', 'the daily withdrawal limit of KYC level 0 (20,000) counts today''s withdrawals');
SELECT throws_like(format('SELECT api.request_withdrawal(%s, ''KCB'', 10, ''ACC-1234'')', pg_temp.u('merchant_wallet')),
                   'PAYMENTS_UNKNOWN_WALLET:%', 'nobody withdraws from another''s wallet');
SELECT tests.as_owner();
SELECT is(payments.complete_withdrawal(tests.id('w1')), NULL, 'a confirmed payout captures the hold');
SELECT is(tests.balance(pg_temp.u('wallet')), 34845::numeric, 'the wallet pays amount and fee');
SELECT is((SELECT tests.balance(clearing_account_id) FROM payments.rail WHERE code = 'MPESA') >= 15000, true,
          'the amount goes to the rail''s clearing account');
SELECT is((SELECT fee FROM payments.fee_charge WHERE subject_type = 'withdrawal' AND subject_id = tests.id('w1')), 155::numeric,
          'the fee to revenue, charged once');
SELECT tests.as_user('wd-payer');
SELECT tests.put('w2', (api.request_withdrawal(pg_temp.u('wallet'), 'KCB', 100, 'ACC-1234') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(payments.finish_withdrawal(tests.id('w2'), 'FAILED', 'R01', 'account closed'), NULL, 'a confirmed failure');
SELECT is(tests.held(pg_temp.u('wallet')), 0::numeric, 'releases the hold');
SELECT tests.as_user('wd-payer');
SELECT throws_like(format('SELECT api.request_withdrawal(%s, ''KCB'', 40000, ''ACC-1234'')', pg_temp.u('wallet')),
                   'PAYMENTS_LIMIT_EXCEEDED:%', 'beyond the daily limit even with the funds');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
