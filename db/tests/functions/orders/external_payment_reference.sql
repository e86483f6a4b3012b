-- Tests for functions/orders/external_payment_reference: a channel payment reference sent again is ORDERS_PAYMENT_TAKEN
-- naming the payment and its order, even once the order is paid in full (no longer payable) or owes less than the
-- amount; nothing is written by the refusals.
BEGIN;
SELECT plan(6);

SELECT tests.orders_world('oxr');
SELECT tests.put('o', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 2)),
                                  '{"source": "EBAY"}'));
SELECT tests.as_user('kc|oxr-a-admin');
SELECT tests.put('p1', (SELECT p.id FROM api.record_external_payment(tests.id('o'), 10, 'ebay-1') p));
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 20, %L)', tests.id('o'), 'ebay-1')), ' ', 2),
          'ORDERS_PAYMENT_TAKEN', 'sent again while the order owes less than the amount: taken, not ORDERS_PAYMENT_EXCEEDS');
SELECT lives_ok(format('SELECT api.record_external_payment(%s, %s, %L)', tests.id('o'),
                       (SELECT total_price - amount_paid FROM api.orders WHERE id = tests.id('o')), 'ebay-2'),
                'the rest paid: the order is PAID');
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 10, %L)', tests.id('o'), 'ebay-1')), ' ', 2),
          'ORDERS_PAYMENT_TAKEN', 'sent again once the order is PAID: taken, not ORDERS_NOT_PAYABLE');
SELECT matches(tests.error_of(format('SELECT api.record_external_payment(%s, 10, %L)', tests.id('o'), 'ebay-1')),
               format('payment %s of order %s', tests.id('p1'), tests.id('o')), 'the refusal names the payment and its order');
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 1, %L)', tests.id('o'), 'ebay-3')), ' ', 2),
          'ORDERS_NOT_PAYABLE', 'a new reference on a PAID order is still not payable');
SELECT is((SELECT count(*) FROM api.order_payments WHERE order_id = tests.id('o')), 2::bigint, 'the refusals wrote nothing');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
