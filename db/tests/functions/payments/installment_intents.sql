-- Tests for functions/payments/installment_intents (and the shared payments.metadata_id): an installment paid through a
-- payment intent is settled as a wallet payment settles it (into the order's goods escrow, its late fee to revenue,
-- PAID by INTENT, the plan COMPLETED at the total), the intent is checked against the installment (merchant, buyer,
-- currency, exactly what it owes), a paid installment takes no second intent, a refusal at success rolls the capture
-- back, such an intent is refunded only through its escrow, and a cancelled plan refunds intent-paid money to the
-- buyer's wallet. No PAYMENT fee rule is set: the tests hold whether or not the capture of such an intent takes a fee.
BEGIN;
SELECT plan(22);

-- payments.metadata_id
SELECT is(payments.metadata_id('{"a": 1}', 'installment_id'), NULL, 'an absent key is NULL');
SELECT is(payments.metadata_id('{"installment_id": 42}', 'installment_id'), 42::bigint, 'a positive integer is the id');
SELECT is(tests.error_of($$SELECT payments.metadata_id('{"installment_id": "42"}', 'installment_id')$$),
          'PT400 PAYMENTS_INVALID_INPUT metadata.installment_id must be an id (a positive integer)', 'a string is refused');
SELECT is(tests.error_of($$SELECT payments.metadata_id('{"order_id": 0}', 'order_id')$$),
          'PT400 PAYMENTS_INVALID_INPUT metadata.order_id must be an id (a positive integer)', 'zero is refused');
SELECT is(tests.error_of($$SELECT payments.metadata_id('{"invoice_id": 1.5}', 'invoice_id')$$),
          'PT400 PAYMENTS_INVALID_INPUT metadata.invoice_id must be an id (a positive integer)', 'a fraction is refused');

CREATE TEMP TABLE w AS SELECT tests.escrow_world('pii') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
-- an intent for an installment from the payer's wallet, as the payer
CREATE FUNCTION pg_temp.intent(p_inst bigint, p_amount numeric) RETURNS bigint LANGUAGE sql AS $f$
    SELECT (api.create_payment_intent(pg_temp.u('merchant'), p_amount, 'KES',
                p_metadata => jsonb_build_object('installment_id', p_inst),
                p_sources => jsonb_build_array(jsonb_build_object(
                    'wallet_id', tests.id('pw'), 'amount', p_amount::text))) ->> 'id')::bigint
$f$;
GRANT EXECUTE ON FUNCTION pg_temp.intent(bigint, numeric) TO PUBLIC;
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.put('mw', payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'));
SELECT tests.put('rev', payments.revenue_account('KES'));
CREATE TEMP TABLE snap (k text PRIMARY KEY, v numeric);
GRANT ALL ON snap TO PUBLIC;
CREATE FUNCTION pg_temp.snap(p_k text, p_account text) RETURNS void LANGUAGE sql AS $f$
    INSERT INTO snap VALUES (p_k, tests.balance(tests.id(p_account))) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v $f$;
CREATE FUNCTION pg_temp.since(p_k text, p_account text) RETURNS numeric LANGUAGE sql AS $f$
    SELECT tests.balance(tests.id(p_account)) - (SELECT v FROM snap WHERE k = p_k) $f$;
GRANT EXECUTE ON FUNCTION pg_temp.snap(text, text), pg_temp.since(text, text) TO PUBLIC;
SELECT pg_temp.snap('rev0', 'rev');

-- a plan of 3 on an order of 100.00; the first is due now and the job finds an empty wallet: LATE, fee 33.33
SELECT tests.put('o', tests.shop_order('pii-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 10));
SELECT tests.as_user('pii-payer');
SELECT tests.put('plan', (api.create_installment_plan(tests.id('o'), 3, 30) ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT tests.put('i1', (SELECT id FROM payments.installment WHERE plan_id = tests.id('plan') AND seq = 1));
SELECT tests.put('i2', (SELECT id FROM payments.installment WHERE plan_id = tests.id('plan') AND seq = 2));
SELECT tests.put('i3', (SELECT id FROM payments.installment WHERE plan_id = tests.id('plan') AND seq = 3));
SELECT payments.collect_due_installments();
SELECT tests.fund_user_wallet(pg_temp.u('payer'), 300);

SELECT tests.as_user('pii-payer');
SELECT is(tests.error_of(format('SELECT pg_temp.intent(%s, 33.33)', tests.id('i1'))),
          format('PT400 PAYMENTS_INVALID_INPUT installment %s is LATE and owes 66.66 KES; the intent is for 33.33 KES', tests.id('i1')),
          'a LATE installment owes its late fee too: an intent for less is refused');
SELECT is(tests.error_of(format($$SELECT api.create_payment_intent(%s, 66.66, 'KES', p_metadata => '{"installment_id": %s, "order_id": %s}')$$,
                                pg_temp.u('merchant'), tests.id('i1'), tests.id('o'))),
          'PT400 PAYMENTS_INVALID_INPUT an intent pays one object: installment_id, order_id or invoice_id',
          'an intent pays one object');
SELECT tests.as_user('pii-buyer2');
SELECT is(tests.error_of(format($$SELECT api.create_payment_intent(%s, 66.66, 'KES', p_metadata => '{"installment_id": %s}')$$,
                                pg_temp.u('merchant'), tests.id('i1'))),
          format('PT404 PAYMENTS_UNKNOWN_PLAN installment %s of merchant %s', tests.id('i1'), pg_temp.u('merchant')),
          'another user does not pay somebody''s installment');
-- an intent the merchant makes without a payer: only the plan's buyer confirms it
SELECT tests.as_user('pii-merchant');
CREATE TEMP TABLE pim AS SELECT api.create_payment_intent(pg_temp.u('merchant'), 66.66, 'KES',
    p_metadata => jsonb_build_object('installment_id', tests.id('i1'))) AS j;
GRANT SELECT ON pim TO PUBLIC;
SELECT tests.put('pim', (SELECT (j ->> 'id')::bigint FROM pim));
SELECT tests.as_owner();
SELECT tests.put('b2w', payments.wallet_for('USER', pg_temp.u('buyer2'), 'KES'));
SELECT tests.as_user('pii-buyer2');
SELECT is(tests.error_of(format($$SELECT api.confirm_payment_intent(%s, jsonb_build_array(jsonb_build_object('wallet_id', %s, 'amount', '66.66')), p_client_secret => %L)$$,
                                tests.id('pim'), tests.id('b2w'), (SELECT j ->> 'client_secret' FROM pim))),
          format('PT404 PAYMENTS_UNKNOWN_PLAN installment %s of merchant %s', tests.id('i1'), pg_temp.u('merchant')),
          'somebody else confirming the merchant''s intent, even with its client secret, is refused before any hold');
SELECT tests.as_user('pii-payer');
SELECT tests.put('pi1', pg_temp.intent(tests.id('i1'), 66.66));
SELECT is(api.confirm_payment_intent(tests.id('pi1')) ->> 'status', 'SUCCEEDED', 'the buyer confirms its intent');
SELECT tests.as_owner();
SELECT is((SELECT (i.status, i.paid_by, p.method, p.amount, p.external_reference)::text
             FROM payments.installment i JOIN orders.payment p ON p.id = i.payment_id AND p.tenant_id = i.tenant_id
            WHERE i.id = tests.id('i1')),
          format('(PAID,INTENT,PAYMENT_INTENT,33.33,payments:intent:%s)', tests.id('pi1')),
          'the installment is PAID by INTENT, its payment the order''s PAYMENT_INTENT payment naming the intent');
SELECT is((SELECT (e.status, e.amount_held, e.funded_at IS NULL, tests.balance(tests.id('mw')))::text
             FROM payments.goods_escrow e WHERE e.order_id = tests.id('o')),
          '(HELD,33.33,t,0.00)', 'the money is in the goods escrow (lay-away): the merchant has nothing yet');
SELECT is((pg_temp.since('rev0', 'rev'),
           (SELECT fee FROM payments.fee_charge WHERE reference = format('payments:installment:%s:late_fee', tests.id('i1')))),
          (33.33::numeric, 33.33::numeric), 'the late fee went to the platform''s revenue and is recorded, as with a wallet payment');

SELECT tests.as_user('pii-payer');
SELECT is(tests.error_of(format('SELECT pg_temp.intent(%s, 66.66)', tests.id('i1'))),
          format('PT409 PAYMENTS_PLAN_STATE installment %s is PAID (plan ACTIVE): nothing to pay', tests.id('i1')),
          'a paid installment takes no second intent');
SELECT tests.as_user('pii-merchant');
SELECT throws_like(format('SELECT api.refund_payment_intent(%s, 5)', tests.id('pi1')), 'PAYMENTS_INTENT_STATE:%',
                   'such an intent is not refunded as an intent (its money is in escrow)');

-- an intent made, then the installment paid from the wallet: the intent's success is refused, its capture rolled back
SELECT tests.as_user('pii-payer');
SELECT tests.put('pi2', pg_temp.intent(tests.id('i2'), 33.33));
SELECT api.pay_installment(tests.id('i2'));
SELECT tests.as_owner();
SELECT pg_temp.snap('pw_before', 'pw');
SELECT tests.as_user('pii-payer');
SELECT is(tests.error_of(format('SELECT api.confirm_payment_intent(%s)', tests.id('pi2'))),
          format('PT409 PAYMENTS_PLAN_STATE installment %s is PAID (plan ACTIVE)', tests.id('i2')),
          'paid meanwhile: the intent''s success is refused');
SELECT tests.as_owner();
SELECT is((pg_temp.since('pw_before', 'pw') = 0,
           (SELECT status <> 'SUCCEEDED' FROM payments.payment_intent WHERE id = tests.id('pi2')),
           (SELECT count(*) FROM orders.payment WHERE order_id = tests.id('o') AND kind = 'PAYMENT')),
          (true, true, 2::bigint), 'nothing moved: the wallet is untouched and no third payment exists');

-- the last by intent: the plan is COMPLETED and the escrow funded
SELECT tests.as_user('pii-payer');
SELECT is(api.confirm_payment_intent(pg_temp.intent(tests.id('i3'), 33.34)) ->> 'status', 'SUCCEEDED', 'the last installment by intent');
SELECT tests.as_owner();
SELECT is((SELECT (p.status, p.amount_paid, e.amount_held, e.funded_at IS NOT NULL)::text
             FROM payments.installment_plan p JOIN payments.goods_escrow e ON e.order_id = p.order_id
            WHERE p.id = tests.id('plan')),
          '(COMPLETED,100.00,100.00,t)', 'the plan is COMPLETED and the escrow funded, releasable');

-- a cancelled plan refunds intent-paid money to the buyer's wallet (minus the policy's 5 %), never to the merchant
SELECT tests.put('o2', tests.shop_order('pii-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 4));   -- 40.00
SELECT tests.as_user('pii-payer');
SELECT tests.put('plan2', (api.create_installment_plan(tests.id('o2'), 2, 30, now() + interval '1 day') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT tests.put('j1', (SELECT id FROM payments.installment WHERE plan_id = tests.id('plan2') AND seq = 1));
SELECT tests.as_user('pii-payer');
SELECT api.confirm_payment_intent(pg_temp.intent(tests.id('j1'), 20));
SELECT tests.as_owner();
SELECT pg_temp.snap('pw2', 'pw');
SELECT pg_temp.snap('mw2', 'mw');
SELECT tests.as_user('pii-payer');
SELECT is(api.cancel_installment_plan(tests.id('plan2')) ->> 'cancel_refund', '19.00', 'the plan is cancelled: 19.00 back');
SELECT tests.as_owner();
SELECT is((pg_temp.since('pw2', 'pw'), pg_temp.since('mw2', 'mw')),
          (19.00::numeric, 1.00::numeric), 'the buyer''s wallet gets the refund, the merchant the cancellation fee');
SELECT is((SELECT count(*)::int FROM ledger.check() WHERE NOT ok), 0, 'the ledger''s invariants hold');

SELECT * FROM finish();
ROLLBACK;
