-- Tests for functions/orders/refunds: partial refunds split newest payment first, to the original account or to store
-- credit, restocked lines back in stock (RETURN movements), over-refunds of money or units refused with nothing written,
-- FULFILLED -> REFUNDED when everything is refunded.
BEGIN;
SELECT plan(20);

GRANT EXECUTE ON FUNCTION orders.refund_order(bigint, numeric, text, jsonb, text, bigint, bigint) TO mercato_user;
SELECT tests.inventory_world('orf');
INSERT INTO orders.customer (tenant_id, email) VALUES (tests.id('a'), 'buyer@example.com');
SELECT tests.put('c', (SELECT id FROM orders.customer WHERE email = 'buyer@example.com' AND tenant_id = tests.id('a')));
SELECT inventory.receive_in(tests.id('a'), tests.id('v_deny'), tests.id('a_wh'), 10);
SELECT tests.put('o', tests.order_for(tests.id('a'), tests.id('c'), format(
    '[{"variant_id": %s, "quantity": 3, "price": "10.00"}, {"variant_id": %s, "quantity": 1, "price": "20.00"}]',
    tests.id('v_deny'), tests.id('v_free'))::jsonb, tests.id('a_wh')));
SELECT tests.put('l1', (SELECT id FROM orders.line WHERE order_id = tests.id('o') AND line_no = 1));
SELECT tests.put('l2', (SELECT id FROM orders.line WHERE order_id = tests.id('o') AND line_no = 2));
SELECT tests.put('p_ext', tests.fund_order_external(tests.id('o'), 30, 'ext-1'));
SELECT orders.issue_store_credit(tests.id('c'), 20, 'seed', 'seed-1', tests.id('a'));
SELECT tests.put('p_sc', (orders.apply_payment(tests.id('a'), tests.id('o'), 'STORE_CREDIT', 20,
                                               orders.store_credit_account(tests.id('a'), tests.id('c')))).id);
-- shipped through the orders module, so the stock is out and the lines count what shipped
SELECT orders.fulfil_for(tests.id('a'), tests.id('o'));
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $f$
    SELECT format('%s %s paid %s refunded %s; refunds %s; l1 %s; stock %s; credit %s', o.status, o.financial_status,
                  o.amount_paid, o.amount_refunded,
                  (SELECT count(*) FROM orders.payment p WHERE p.order_id = o.id AND p.kind = 'REFUND'),
                  (SELECT refunded_quantity FROM orders.line WHERE id = tests.id('l1')),
                  (SELECT on_hand FROM inventory.stock WHERE variant_id = tests.id('v_deny') AND location_id = tests.id('a_wh')),
                  (SELECT b.balance FROM ledger.account_balance(orders.store_credit_account(tests.id('a'), tests.id('c'))) b))
      FROM orders.sales_order o WHERE o.id = tests.id('o') $f$;
SELECT is(pg_temp.state(), 'FULFILLED PAID paid 50 refunded 0; refunds 0; l1 0; stock 7; credit 0', 'paid 30 external + 20 credit, shipped');

SELECT tests.as_user('kc|orf-a-admin');
SELECT is(tests.error_of($$SELECT orders.refund_order(tests.id('o'), 50.01, 'too much')$$),
          format('PT409 ORDERS_REFUND_EXCEEDS order %s: 50.01 asked, 50 paid and not refunded', tests.id('o')),
          'more than paid is refused');
SELECT is(tests.error_of(format($$SELECT orders.refund_order(tests.id('o'), 5, 'units', '[{"line_id": %s, "quantity": 2}, {"line_id": %s, "quantity": 2}]')$$,
                                tests.id('l1'), tests.id('l1'))),
          format('PT409 ORDERS_REFUND_EXCEEDS line %s: 4 units asked, 3 bought and not refunded', tests.id('l1')),
          'more units than bought is refused (summed per line)');
SELECT throws_like($$SELECT orders.refund_order(tests.id('o'), 5, 'x', '[{"line_id": 999999999999, "quantity": 1}]')$$,
                   'ORDERS_INVALID_INPUT:%', 'a line of another order is refused');
SELECT throws_like($$SELECT orders.refund_order(tests.id('o'), 5, 'x', p_destination => 'CASH')$$, 'ORDERS_INVALID_INPUT:%',
                   'destination ORIGINAL or STORE_CREDIT');
SELECT tests.as_user('kc|orf-b-admin');
SELECT throws_like($$SELECT orders.refund_order(tests.id('o'), 5, 'x')$$, 'ORDERS_UNKNOWN_ORDER:%',
                   'another tenant''s order is unknown');
SELECT tests.as_user('kc|orf-a-clerk');
SELECT throws_like($$SELECT orders.refund_order(tests.id('o'), 5, 'x')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'refunds need orders.manage');
SELECT tests.as_owner();
SELECT is(pg_temp.state(), 'FULFILLED PAID paid 50 refunded 0; refunds 0; l1 0; stock 7; credit 0', 'the refusals wrote nothing');

SELECT tests.as_user('kc|orf-a-admin');
SELECT tests.put('r1', (orders.refund_order(tests.id('o'), 25, 'two damaged',
                         format('[{"line_id": %s, "quantity": 2, "restock": true}]', tests.id('l1'))::jsonb) -> 'refunds' -> 0 ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(pg_temp.state(), 'FULFILLED PARTIALLY_REFUNDED paid 50 refunded 25; refunds 2; l1 2; stock 9; credit 20',
          '25 refunded: 20 to the store credit it came from (newest first), 5 to the channel; 2 units back in stock');
SELECT is((SELECT array_agg(refund_of ORDER BY id) FROM orders.payment WHERE order_id = tests.id('o') AND kind = 'REFUND'),
          ARRAY[tests.id('p_sc'), tests.id('p_ext')], 'the newest payment is refunded first');
SELECT is((SELECT (kind, quantity, ref_module, ref_entity, ref_id)::text FROM inventory.movement m
            JOIN inventory.stock s ON s.id = m.stock_id WHERE s.variant_id = tests.id('v_deny') AND m.kind = 'RETURN'),
          format('(RETURN,2,orders,refund,%s)', tests.id('r1')), 'a RETURN movement under orders/refund/<id>, at the reserved location');
SELECT is((SELECT b.balance FROM ledger.account_balance(orders.channel_account(tests.id('a'), 'MANUAL')) b), -25::numeric,
          'the channel got its 5 back');

SELECT tests.as_user('kc|orf-a-admin');
SELECT is((orders.refund_order(tests.id('o'), 10, 'goodwill', p_destination => 'STORE_CREDIT')) ->> 'financial_status',
          'PARTIALLY_REFUNDED', 'a refund to store credit');
SELECT tests.as_owner();
SELECT is(pg_temp.state(), 'FULFILLED PARTIALLY_REFUNDED paid 50 refunded 35; refunds 3; l1 2; stock 9; credit 30',
          'the customer''s store credit grew by 10');
SELECT is((SELECT method FROM orders.payment WHERE order_id = tests.id('o') AND kind = 'REFUND' ORDER BY id DESC LIMIT 1),
          'STORE_CREDIT', 'with method STORE_CREDIT');
SELECT tests.as_user('kc|orf-a-admin');
SELECT throws_like(format($$SELECT orders.refund_order(tests.id('o'), 15, 'rest', '[{"line_id": %s, "quantity": 1, "restock": true}]', p_location_id => %s)$$,
                          tests.id('l2'), tests.id('a_wh')), 'INVENTORY_NOT_TRACKED:%', 'an untracked variant cannot be restocked: all undone');
SELECT is((orders.refund_order(tests.id('o'), 15, 'the rest', format('[{"line_id": %s, "quantity": 1}]', tests.id('l1'))::jsonb))
          ->> 'status', 'REFUNDED', 'everything refunded: FULFILLED -> REFUNDED');
SELECT tests.as_owner();
SELECT is(pg_temp.state(), 'REFUNDED REFUNDED paid 50 refunded 50; refunds 4; l1 3; stock 9; credit 30',
          'the last refund went to the channel');
SELECT is((SELECT count(*)::int FROM ledger.check() WHERE violations > 0) + (SELECT count(*)::int FROM inventory.check() WHERE violations > 0),
          0, 'ledger.check() and inventory.check() are clean');

-- units that never shipped are still on hand (and reserved): a refund does not put them back on the shelf again
SELECT tests.put('o2', tests.order_for(tests.id('a'), tests.id('c'),
    format('[{"variant_id": %s, "quantity": 1, "price": "10.00"}]', tests.id('v_deny'))::jsonb, tests.id('a_wh')));
SELECT tests.fund_order_external(tests.id('o2'), 10, 'ext-2');
SELECT is(tests.error_of(format($$SELECT orders.refund_order(%s, 10, 'never shipped', '[{"line_id": %s, "quantity": 1, "restock": true}]', p_tenant_id => %s)$$,
                                tests.id('o2'), (SELECT id FROM orders.line WHERE order_id = tests.id('o2')), tests.id('a'))),
          format('PT409 ORDERS_REFUND_EXCEEDS line %s: 1 units to restock, 0 shipped and not restocked',
                 (SELECT id FROM orders.line WHERE order_id = tests.id('o2'))),
          'an unshipped unit cannot be restocked');

SELECT * FROM finish();
ROLLBACK;
