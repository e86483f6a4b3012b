-- Tests for functions/orders/cancel: releasing every line's reservations, refunding every payment back where it came
-- from, VOIDED when nothing was paid, refusals once fulfilled, a customer its own PENDING unpaid order only, another
-- tenant never.
BEGIN;
SELECT plan(14);

SELECT tests.orders_world('ocn');
SELECT tests.put('o1', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 3),
                                                          jsonb_build_object('variant_id', tests.id('v_cont'), 'quantity', 2)),
                                   '{"source": "EBAY"}'));
SELECT tests.put('o2', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)),
                                   '{"source": "TCGPLAYER"}'));
SELECT tests.put('o3', tests.place('kc|ocn-a-buyer', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1))));
SELECT tests.put('o4', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 2)),
                                   '{"source": "POS"}'));
-- o2 paid in two parts on the channel
SELECT orders.apply_payment(tests.id('a'), tests.id('o2'), 'EXTERNAL', 5, orders.channel_account(tests.id('a'), 'TCGPLAYER'), NULL, 't-1');
SELECT orders.apply_payment(tests.id('a'), tests.id('o2'), 'EXTERNAL', 5.83, orders.channel_account(tests.id('a'), 'TCGPLAYER'), NULL, 't-2');

SELECT tests.as_user('kc|ocn-a-admin');
SELECT is(split_part(tests.error_of(format('SELECT api.cancel_order(%s, %L)', tests.id('o1'), ' ')), ' ', 2),
          'ORDERS_INVALID_INPUT', 'a reason is required');
SELECT is((SELECT (d ->> 'status', d ->> 'financial_status', d ->> 'cancel_reason')::text
             FROM (SELECT api.cancel_order(tests.id('o1'), 'customer changed their mind') AS d) x),
          '(CANCELLED,VOIDED,"customer changed their mind")', 'an unpaid order: CANCELLED, VOIDED, with its reason');
SELECT tests.as_owner();
SELECT is((SELECT string_agg(DISTINCT r.state, ',') FROM inventory.reservation r JOIN orders.line l ON r.ref_id = l.id::text
            WHERE r.ref_entity = 'line' AND l.order_id = tests.id('o1')), 'RELEASED', 'every line''s reservations released');
SELECT is((SELECT sum(reserved + backordered)::int FROM inventory.stock WHERE variant_id IN (tests.id('v_deny'), tests.id('v_cont'))),
          1, 'their stock is free again (only the customer''s order still holds one)');
SELECT tests.as_user('kc|ocn-a-admin');
SELECT is((SELECT (d ->> 'status', d ->> 'financial_status', d ->> 'amount_refunded')::text
             FROM (SELECT api.cancel_order(tests.id('o2'), 'out of stock') AS d) x),
          '(CANCELLED,REFUNDED,10.83)', 'a paid order: every payment refunded');
SELECT tests.as_owner();
SELECT is((SELECT b.balance FROM ledger.account_balance(orders.channel_account(tests.id('a'), 'TCGPLAYER')) b), 0::numeric,
          'the money went back to the channel''s clearing account it came from');
SELECT is((SELECT count(*)::int FROM orders.payment WHERE order_id = tests.id('o2') AND kind = 'REFUND'), 2, 'one refund per payment');
SELECT tests.as_user('kc|ocn-a-admin');
SELECT is(tests.error_of(format('SELECT api.cancel_order(%s, %L)', tests.id('o2'), 'again')),
          'PT409 ORDERS_NOT_CANCELLABLE order 2 is CANCELLED', 'a cancelled order is not cancelled again');
SELECT api.fulfil_order(tests.id('o4'), jsonb_build_array(jsonb_build_object('line_id',
           (SELECT id FROM api.order_lines WHERE order_id = tests.id('o4')), 'quantity', 1)));
SELECT is(tests.error_of(format('SELECT api.cancel_order(%s, %L)', tests.id('o4'), 'late')),
          'PT409 ORDERS_NOT_CANCELLABLE order 4: part of it is fulfilled (refund what comes back instead)',
          'not once anything is fulfilled');
-- customers: their own PENDING unpaid order only
SELECT tests.as_user('kc|ocn-a-other');
SELECT is(split_part(tests.error_of(format('SELECT api.cancel_order(%s, %L)', tests.id('o3'), 'mine?')), ' ', 2),
          'ORDERS_UNKNOWN_ORDER', 'another customer''s order is unknown');
SELECT tests.as_user('kc|ocn-b-admin');
SELECT is(split_part(tests.error_of(format('SELECT api.cancel_order(%s, %L)', tests.id('o3'), 'x')), ' ', 2),
          'ORDERS_UNKNOWN_ORDER', 'another tenant''s staff cannot cancel it');
SELECT tests.as_user('kc|ocn-a-buyer');
SELECT is(split_part(tests.error_of(format('SELECT api.cancel_order(%s, %L)', tests.id('o4'), 'x')), ' ', 2),
          'ORDERS_UNKNOWN_ORDER', 'a customer cannot cancel a shop order');
SELECT is((api.cancel_order(tests.id('o3'), 'ordered by mistake') ->> 'status'), 'CANCELLED',
          'a customer cancels its own PENDING unpaid order');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM inventory.check() WHERE NOT ok), 0, 'inventory.check() clean');

SELECT * FROM finish();
ROLLBACK;
