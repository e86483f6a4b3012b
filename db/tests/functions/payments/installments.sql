-- Tests for functions/payments/installments: the exact split (cents and a currency without minor units), the plan on
-- an unpaid shop order, early payment by hand, the auto-debit job, a LATE installment with the policy's fee collected
-- with it, lay-away (no release before the plan is paid), the cancellation refunding what was paid minus the policy's
-- fee, the transition triggers for every writer, and the ledger's invariants.
BEGIN;
SELECT plan(26);

SELECT is(payments.split_amount(100.00, 3, 2), ARRAY[33.33, 33.33, 33.34]::numeric[], '100.00 in 3: 33.33, 33.33, 33.34');
SELECT is(payments.split_amount(100, 3, 0), ARRAY[33, 33, 34]::numeric[], '100 UGX in 3: 33, 33, 34');
SELECT is(payments.split_amount(0.05, 4, 2), ARRAY[0.01, 0.01, 0.01, 0.02]::numeric[], 'the remainder on the last');
SELECT is((SELECT sum(a) FROM unnest(payments.split_amount(1234.57, 7, 2)) a), 1234.57, 'the parts always sum to the total');

CREATE TEMP TABLE w AS SELECT tests.escrow_world('pinst') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE FUNCTION pg_temp.bal(a bigint) RETURNS numeric LANGUAGE sql AS $f$ SELECT balance FROM ledger.account_balance(a) $f$;
GRANT EXECUTE ON FUNCTION pg_temp.bal(bigint) TO PUBLIC;
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.put('mw', payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'));

-- a plan of 3 on an order of 100.00
SELECT tests.put('o', tests.shop_order('pinst-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 10));
SELECT tests.as_user('pinst-buyer2');
SELECT is(tests.error_of(format('SELECT api.create_installment_plan(%s, 3)', tests.id('o'))),
          format('PT404 ORDERS_UNKNOWN_ORDER order %s', tests.id('o')), 'only the buyer puts its order on a plan');
SELECT tests.as_user('pinst-payer');
SELECT tests.put('plan', (api.create_installment_plan(tests.id('o'), 3, 30) ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is((SELECT array_agg(amount ORDER BY seq) FROM payments.installment WHERE plan_id = tests.id('plan')),
          ARRAY[33.33, 33.33, 33.34]::numeric[], 'the schedule is split exactly to the cent');
SELECT is((SELECT array_agg(due_at - (SELECT min(due_at) FROM payments.installment WHERE plan_id = tests.id('plan')) ORDER BY seq)
             FROM payments.installment WHERE plan_id = tests.id('plan')),
          ARRAY[interval '0', interval '30 days', interval '60 days'], 'due every 30 days');
SELECT tests.as_user('pinst-payer');
SELECT is(tests.error_of(format('SELECT api.create_installment_plan(%s, 3)', tests.id('o'))),
          format('PT409 PAYMENTS_PLAN_STATE order %s is PENDING, PENDING, paid 0: a plan is made on an unpaid order, once', tests.id('o')),
          'one plan per order');
SELECT is(tests.error_of(format('SELECT api.pay_shop_order(%s)', tests.id('o'))),
          format('PT409 PAYMENTS_PLAN_STATE order %s is paid through its installment plan %s', tests.id('o'), tests.id('plan')),
          'an order on a plan is paid through it');
SELECT tests.as_owner();
SELECT tests.put('i1', (SELECT id FROM payments.installment WHERE plan_id = tests.id('plan') AND seq = 1));
SELECT tests.put('i2', (SELECT id FROM payments.installment WHERE plan_id = tests.id('plan') AND seq = 2));
SELECT tests.put('i3', (SELECT id FROM payments.installment WHERE plan_id = tests.id('plan') AND seq = 3));

-- the job on the due date: an empty wallet makes the first LATE with the policy's fee
SELECT is(payments.collect_due_installments(), 0, 'nothing could be debited from an empty wallet');
SELECT is((SELECT (status, late_fee)::text FROM payments.installment WHERE id = tests.id('i1')), '(LATE,33.33)',
          'the installment is LATE with the policy''s late fee (100.00 KES, clamped to the installment)');
SELECT tests.fund_user_wallet(pg_temp.u('payer'), 500);
SELECT is(payments.collect_due_installments(), 1, 'the next run debits it');
SELECT is((pg_temp.bal(tests.id('pw')), (SELECT (status, paid_by)::text FROM payments.installment WHERE id = tests.id('i1')))::text,
          '(433.34,"(PAID,AUTO)")', 'the installment and its late fee were taken from the wallet');
SELECT is((SELECT (operation, base_amount, fee, subject_type)::text FROM payments.fee_charge
            WHERE reference = format('payments:installment:%s:late_fee', tests.id('i1'))),
          '(PAYMENT,33.33,33.33,installment)', 'the late fee is recorded for the platform');

-- early payment by hand; lay-away until the plan is paid
SELECT tests.as_user('pinst-payer');
SELECT is(api.pay_installment(tests.id('i2')) ->> 'amount', '33.33', 'the buyer pays the second early');
SELECT tests.put('e', (api.get_installment_plan(tests.id('plan')) ->> 'escrow_id')::bigint);
SELECT is(tests.error_of(format('SELECT api.confirm_delivery(%s)', tests.id('e'))),
          format('PT409 PAYMENTS_ESCROW_NOT_FUNDED escrow %s holds 66.66 of 100.00', tests.id('e')),
          'the goods stay in escrow until the plan is paid');
SELECT is(tests.error_of(format('SELECT api.pay_installment(%s)', tests.id('i2'))),
          format('PT409 PAYMENTS_PLAN_STATE installment %s is PAID (plan ACTIVE)', tests.id('i2')), 'an installment is paid once');
SELECT tests.as_owner();
SELECT throws_like(format('UPDATE payments.installment SET status = ''DUE'', paid_at = NULL, payment_id = NULL, paid_by = NULL WHERE id = %s',
                          tests.id('i2')), 'PAYMENTS_PLAN_STATE:%', 'a paid installment never moves again, whoever writes');

-- cancelled: what was paid (66.66) back minus the policy's 5 % (3.33)
SELECT tests.as_user('pinst-payer');
SELECT is((api.cancel_installment_plan(tests.id('plan')) - 'id' - 'shop_id' - 'order_id' - 'buyer_user_id' - 'cancelled_at'
           - 'schedule' - 'escrow_id' - 'completed_at') ->> 'cancel_refund', '63.33', 'cancelled: 66.66 paid, 63.33 refunded');
SELECT tests.as_owner();
SELECT is((SELECT (status, cancel_fee, cancel_refund)::text FROM payments.installment_plan WHERE id = tests.id('plan')),
          '(CANCELLED,3.33,63.33)', 'the plan keeps the policy''s cancellation fee (5 % of what was paid)');
SELECT is((pg_temp.bal(tests.id('pw')), (SELECT (status, buyer_amount, merchant_amount)::text FROM payments.goods_escrow WHERE id = tests.id('e')))::text,
          '(463.34,"(REFUNDED,63.33,3.33)")', 'the refund is back in the wallet; the escrow settled once as REFUNDED');
SELECT is((SELECT array_agg(status ORDER BY seq) FROM payments.installment WHERE plan_id = tests.id('plan')),
          ARRAY['PAID', 'PAID', 'CANCELLED'], 'the open installment is cancelled');
SELECT is(tests.error_of(format('SELECT payments.cancel_installment_plan(%s)', tests.id('plan'))),
          format('PT409 PAYMENTS_PLAN_STATE plan %s is CANCELLED', tests.id('plan')), 'a plan is cancelled once');

-- a plan paid to the end: its last payment completes it, and the goods leave escrow on delivery
SELECT tests.put('o2', tests.shop_order('pinst-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.as_user('pinst-payer');
SELECT tests.put('plan2', (api.create_installment_plan(tests.id('o2'), 2, 7) ->> 'id')::bigint);
SELECT api.pay_installment((i ->> 'id')::bigint)
  FROM jsonb_array_elements(api.get_installment_plan(tests.id('plan2')) -> 'schedule') i ORDER BY (i ->> 'seq')::int;
SELECT is(api.get_installment_plan(tests.id('plan2')) ->> 'status', 'COMPLETED', 'the last installment completes the plan');
SELECT is(api.confirm_delivery((api.get_installment_plan(tests.id('plan2')) ->> 'escrow_id')::bigint) ->> 'status',
          'RELEASED', 'and the goods leave lay-away on delivery');
SELECT tests.as_owner();

SELECT is((SELECT count(*)::int FROM ledger.check() WHERE NOT ok), 0, 'the ledger''s invariants hold');
SELECT * FROM finish();
ROLLBACK;
