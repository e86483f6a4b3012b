-- Tests for functions/payments/withdrawal_review: the back office resolves a FLAGGED withdrawal once: PAID captures
-- its hold as a confirmed success does (amount to clearing, fee to revenue), NOT_PAID releases it; only with
-- payments.manage and a reason; never twice; audited.
BEGIN;
SELECT plan(12);

CREATE TEMP TABLE w AS SELECT tests.rails_world('wr', 50000) AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.as_user('wr-admin');
SELECT api.set_fee_rule(NULL, 'WITHDRAWAL', 'MPESA', 'KES', 1, 5);
SELECT tests.as_user('wr-payer');
SELECT tests.put('w1', (api.request_withdrawal(pg_temp.u('wallet'), 'MPESA', 1000, '254712345678') ->> 'id')::bigint);
SELECT tests.put('w2', (api.request_withdrawal(pg_temp.u('wallet'), 'MPESA', 2000, '254712345678') ->> 'id')::bigint);
SELECT tests.as_owner();
CREATE TEMP TABLE c0 AS SELECT tests.balance((SELECT clearing_account_id FROM payments.rail WHERE code = 'MPESA')) AS b;
SELECT payments.finish_withdrawal(tests.id('w1'), 'FLAGGED', 'MISMATCH', 'the rail confirmed 900.00');
SELECT payments.finish_withdrawal(tests.id('w2'), 'FLAGGED', 'MISMATCH', 'the rail confirmed another account');
SELECT is(tests.held(pg_temp.u('wallet')), 3040::numeric, 'flagged withdrawals keep their holds (amount + fee)');

SELECT tests.as_user('wr-payer');
SELECT is(tests.error_of(format($$SELECT api.resolve_flagged_withdrawal(%s, 'NOT_PAID', 'my money back')$$, tests.id('w1'))),
          'PT403 IDENTITY_PERMISSION_DENIED permission payments.manage', 'the payer cannot resolve its own flagged withdrawal');
SELECT tests.as_user('wr-admin');
SELECT is(tests.error_of(format($$SELECT api.resolve_flagged_withdrawal(%s, 'PAID', 'ok')$$, tests.id('w1'))),
          'PT400 PAYMENTS_INVALID_INPUT a resolution needs a reason of 3 to 500 characters', 'a reason is required');
SELECT is(tests.error_of(format($$SELECT api.resolve_flagged_withdrawal(%s, 'MAYBE', 'the provider says so')$$, tests.id('w1'))),
          'PT400 PAYMENTS_INVALID_INPUT outcome must be PAID or NOT_PAID', 'the outcome is PAID or NOT_PAID');
SELECT is(api.resolve_flagged_withdrawal(tests.id('w1'), 'PAID', 'M-Pesa statement shows the payout') ->> 'status', 'COMPLETED',
          'PAID completes it');
SELECT tests.as_owner();
SELECT is(tests.balance((SELECT clearing_account_id FROM payments.rail WHERE code = 'MPESA')) - (SELECT b FROM c0), 1000::numeric,
          'the amount went to the rail''s clearing account');
SELECT is((SELECT fee FROM payments.fee_charge WHERE subject_type = 'withdrawal' AND subject_id = tests.id('w1')), 15::numeric,
          'and the fee to revenue, charged once');
SELECT tests.as_user('wr-admin');
SELECT is(tests.error_of(format($$SELECT api.resolve_flagged_withdrawal(%s, 'NOT_PAID', 'second thoughts')$$, tests.id('w1'))),
          format('PT409 PAYMENTS_WITHDRAWAL_STATE withdrawal %s is COMPLETED, not FLAGGED', tests.id('w1')),
          'a resolved withdrawal is never resolved again');
SELECT is(api.resolve_flagged_withdrawal(tests.id('w2'), 'not_paid', 'the bank returned the transfer') ->> 'status', 'FAILED',
          'NOT_PAID fails the other');
SELECT tests.as_owner();
SELECT is((SELECT (failure_code, failure_reason)::text FROM payments.withdrawal WHERE id = tests.id('w2')),
          '(REVIEWED_NOT_PAID,"the bank returned the transfer")', 'with the reviewer''s reason');
SELECT is(tests.held(pg_temp.u('wallet')), 0::numeric, 'its hold released: the wallet has its money back');
SELECT is((SELECT count(*) FROM audit.event WHERE entity_type = 'payments.withdrawal' AND action = 'FLAG_RESOLVED'
             AND entity_id IN (tests.id('w1')::text, tests.id('w2')::text) AND actor_subject = 'wr-admin'), 2::bigint,
          'both resolutions are audited, by the administrator');

SELECT * FROM finish();
ROLLBACK;
