-- Tests for functions/payments/order_intents: a shop order paid through a payment intent lands in its goods escrow (no
-- fee at capture; the release takes it), the intent checked against the order, and no intent refund of such a payment.
BEGIN;
SELECT plan(10);

CREATE TEMP TABLE w AS SELECT tests.escrow_world('poi') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.fund_user_wallet(pg_temp.u('payer'), 100);
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.put('mw', payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'));
SELECT tests.as_user('poi-admin');
SELECT api.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 10);
SELECT tests.as_owner();
SELECT tests.put('o', tests.shop_order('poi-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 3));   -- 30.00

SELECT tests.as_user('poi-payer');
SELECT is(tests.error_of(format('SELECT api.create_payment_intent(%s, 40, ''KES'', p_metadata => ''{"order_id": %s}'')',
                                pg_temp.u('merchant'), tests.id('o'))),
          format('PT400 PAYMENTS_INVALID_INPUT order %s is PENDING and owes 30.00 KES; the intent is for 40 KES', tests.id('o')),
          'an intent for more than the order owes is refused');
SELECT tests.as_user('poi-buyer2');
SELECT is(tests.error_of(format('SELECT api.create_payment_intent(%s, 30, ''KES'', p_metadata => ''{"order_id": %s}'')',
                                pg_temp.u('merchant'), tests.id('o'))),
          format('PT404 ORDERS_UNKNOWN_ORDER order %s of merchant %s''s shop', tests.id('o'), pg_temp.u('merchant')),
          'another user does not pay somebody''s order');
-- an intent the merchant made for the order: somebody else holding its client secret is refused at confirmation,
-- the order locked first (payment_intent_order_lock), before any hold
SELECT tests.as_user('poi-merchant');
CREATE TEMP TABLE mi AS SELECT api.create_payment_intent(pg_temp.u('merchant'), 30, 'KES',
    p_metadata => format('{"order_id": %s}', tests.id('o'))::jsonb) AS j;
GRANT SELECT ON mi TO PUBLIC;
SELECT tests.as_owner();
SELECT tests.fund_user_wallet(pg_temp.u('buyer2'), 50);
SELECT tests.put('b2w', payments.wallet_for('USER', pg_temp.u('buyer2'), 'KES'));
SELECT tests.as_user('poi-buyer2');
SELECT is(tests.error_of(format($$SELECT api.confirm_payment_intent(%s, jsonb_build_array(jsonb_build_object('wallet_id', %s, 'amount', '30.00')), p_client_secret => %L)$$,
                                (SELECT (j ->> 'id')::bigint FROM mi), tests.id('b2w'), (SELECT j ->> 'client_secret' FROM mi))),
          format('PT404 ORDERS_UNKNOWN_ORDER order %s of merchant %s''s shop', tests.id('o'), pg_temp.u('merchant')),
          'somebody else confirming the merchant''s intent for the order, even with its secret, is refused');
SELECT tests.as_user('poi-payer');
SELECT tests.put('pi', (api.create_payment_intent(pg_temp.u('merchant'), 30, 'KES',
    p_metadata => format('{"order_id": %s}', tests.id('o'))::jsonb,
    p_sources => format('[{"wallet_id": %s, "amount": "30.00"}]', tests.id('pw'))::jsonb) ->> 'id')::bigint);
SELECT is(api.confirm_payment_intent(tests.id('pi')) ->> 'status', 'SUCCEEDED', 'the buyer confirms its intent');
SELECT tests.as_owner();
SELECT is((SELECT (financial_status, amount_paid)::text FROM orders.sales_order WHERE id = tests.id('o')), '(PAID,30)',
          'the order is paid by the intent in the same transaction');
SELECT is((SELECT (method, external_reference)::text FROM orders.payment WHERE order_id = tests.id('o')),
          format('(PAYMENT_INTENT,payments:intent:%s)', tests.id('pi')), 'its payment names the intent');
SELECT is((SELECT (e.status, e.amount_held, tests.balance(tests.id('mw')), i.fee)::text
             FROM payments.goods_escrow e, payments.payment_intent i
            WHERE e.order_id = tests.id('o') AND i.id = tests.id('pi')),
          '(HELD,30,0.00,0)', 'the money is held in the goods escrow: the merchant has nothing yet, and no fee was taken');
SELECT tests.as_user('poi-merchant');
SELECT throws_like(format('SELECT api.refund_payment_intent(%s, 5)', tests.id('pi')), 'PAYMENTS_INTENT_STATE:%',
                   'such an intent is not refunded as an intent (its money is in escrow)');
SELECT tests.as_owner();
SELECT tests.put('e', (SELECT id FROM payments.goods_escrow WHERE order_id = tests.id('o')));
SELECT tests.as_user('poi-payer');
SELECT is(api.confirm_delivery(tests.id('e')) ->> 'status',
          'RELEASED', 'delivered: the escrow is released');
SELECT tests.as_owner();
SELECT is(tests.balance(tests.id('mw')), 27.00::numeric, 'the merchant gets 30.00 minus the 10 % fee, taken once');

SELECT * FROM finish();
ROLLBACK;
