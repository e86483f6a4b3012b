-- Tests for functions/store/receiving: partial and complete receipts post stock in through the inventory at the lines'
-- cost (RECEIPT movements referencing the receipt; the moving average follows), the order becomes PARTIAL then
-- RECEIVED; over-receipt refused unless allowed, and then recorded; all or nothing; a draft or a closed order takes no
-- receipt; a partial order cancelled is closed short.
BEGIN;
SELECT plan(16);

SELECT tests.purchasing_world('pur');
SELECT tests.as_service();
SELECT (api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 10, 1.00, p_tenant_id => tests.id('a'))).id;
SELECT tests.as_owner();
SELECT tests.put('po', tests.purchase_order('a', 'acme', 'a_wh',
    format('[{"variant_id": %s, "quantity": 10}, {"variant_id": %s, "quantity": 4}]', tests.id('v_deny'), tests.id('v_cont'))::jsonb));
SELECT tests.put('l_deny', (SELECT id FROM store.purchase_order_line WHERE purchase_order_id = tests.id('po') AND variant_id = tests.id('v_deny')));

SELECT tests.as_user('kc|pur-a-admin');
SELECT results_eq(format($$SELECT status, lines, quantity, over_received FROM api.receive_purchase_order(%s, '[{"line_id": %s, "quantity": 6}]')$$,
                         tests.id('po'), tests.id('l_deny')),
                  $$VALUES ('PARTIAL'::text, 1, 6::bigint, 0::bigint)$$, 'a partial receipt: the order is PARTIAL');
SELECT results_eq(format('SELECT on_hand, avg_cost, last_cost FROM api.inventory_stock WHERE variant_id = %s AND location_id = %s', tests.id('v_deny'), tests.id('a_wh')),
                  $$VALUES (16, 1.5625::numeric, 2.50::numeric)$$, 'stock in at the line''s cost: the moving average follows (10 × 1.00 + 6 × 2.50) / 16');
SELECT results_eq(format($$SELECT m.kind, m.quantity, m.unit_cost, m.ref_module, m.ref_entity, m.ref_id = r.id::text
                            FROM api.inventory_movements m JOIN api.store_purchase_receipts r ON r.purchase_order_id = %s
                           WHERE m.ref_module = 'store'$$, tests.id('po')),
                  $$VALUES ('RECEIPT'::text, 6, 2.50::numeric, 'store'::text, 'purchase_receipt'::text, true)$$,
                  'a RECEIPT movement referencing store/purchase_receipt/<receipt>');
SELECT is(tests.error_of(format($$SELECT * FROM api.receive_purchase_order(%s, '[{"line_id": %s, "quantity": 5}]')$$, tests.id('po'), tests.id('l_deny'))),
          format('PT409 STORE_PO_OVER_RECEIPT purchase order PO-000001 line %s (variant %s): 10 ordered, 6 received, 5 more would pass it',
                 tests.id('l_deny'), tests.id('v_deny')),
          'more than ordered is refused');
SELECT is(tests.error_of(format($$SELECT * FROM api.receive_purchase_order(%s, '[{"variant_id": %s, "quantity": 4}, {"line_id": %s, "quantity": 5}]')$$,
                                tests.id('po'), tests.id('v_cont'), tests.id('l_deny'))) LIKE 'PT409 STORE_PO_OVER_RECEIPT %', true,
          'one refused line refuses the receipt');
SELECT results_eq(format('SELECT sum(quantity_received)::integer, (SELECT count(*) FROM api.store_purchase_receipts) FROM api.store_purchase_order_lines WHERE purchase_order_id = %s', tests.id('po')),
                  $$VALUES (6, 1::bigint)$$, 'and writes nothing (no receipt, no line received)');
SELECT is((SELECT on_hand FROM api.inventory_stock WHERE variant_id = tests.id('v_cont') AND location_id = tests.id('a_wh')), NULL::integer,
          'no stock moved either');
SELECT results_eq(format($$SELECT status, quantity, over_received FROM api.receive_purchase_order(%s, '[{"variant_id": %s, "quantity": 4}, {"line_id": %s, "quantity": 5, "allow_over_receipt": true}]')$$,
                         tests.id('po'), tests.id('v_cont'), tests.id('l_deny')),
                  $$VALUES ('RECEIVED'::text, 9::bigint, 1::bigint)$$, 'an over-receipt explicitly allowed: every line complete, RECEIVED');
SELECT results_eq(format('SELECT quantity_received, quantity_over_received, quantity_open FROM api.store_purchase_order_lines WHERE id = %s', tests.id('l_deny')),
                  $$VALUES (11, 1, 0)$$, 'the excess is recorded on the line');
SELECT results_eq(format('SELECT quantity, over_received FROM api.store_purchase_receipt_lines WHERE purchase_order_line_id = %s ORDER BY id', tests.id('l_deny')),
                  $$VALUES (6, 0), (5, 1)$$, 'and on the receipt line that allowed it');
SELECT is(tests.error_of(format($$SELECT * FROM api.receive_purchase_order(%s, '[{"line_id": %s, "quantity": 1, "allow_over_receipt": true}]')$$, tests.id('po'), tests.id('l_deny'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000001 is RECEIVED: receipts are taken from SUBMITTED until RECEIVED or CANCELLED',
          'a received order takes no more');
SELECT tests.as_owner();

-- a draft takes none; a partial order cancelled is closed short; an untracked variant is refused with nothing written
SELECT tests.put('draft', tests.purchase_order('a', 'acme', 'a_wh', format('[{"variant_id": %s, "quantity": 1}]', tests.id('v_deny'))::jsonb, false));
SELECT tests.put('short', tests.purchase_order('a', 'acme', 'a_store', format('[{"variant_id": %s, "quantity": 5, "unit_cost": 3}, {"variant_id": %s, "quantity": 1, "unit_cost": 1}]',
                                                                               tests.id('v_deny'), tests.id('v_free'))::jsonb));
SELECT tests.as_user('kc|pur-a-admin');
SELECT is(tests.error_of(format($$SELECT * FROM api.receive_purchase_order(%s, '[{"variant_id": %s, "quantity": 1}]')$$, tests.id('draft'), tests.id('v_deny'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000002 is DRAFT: receipts are taken from SUBMITTED until RECEIVED or CANCELLED',
          'a draft takes no receipt');
SELECT is(tests.error_of(format($$SELECT * FROM api.receive_purchase_order(%s, '[{"variant_id": %s, "quantity": 2}, {"variant_id": %s, "quantity": 1}]')$$,
                                tests.id('short'), tests.id('v_deny'), tests.id('v_free'))),
          format('PT409 INVENTORY_NOT_TRACKED variant %s', tests.id('v_free')), 'an untracked variant is refused by the inventory');
SELECT is((SELECT status FROM api.receive_purchase_order(tests.id('short'), format('[{"variant_id": %s, "quantity": 2}]', tests.id('v_deny'))::jsonb)),
          'PARTIAL', 'two of five received');
SELECT results_eq(format($$SELECT status, closed_at IS NOT NULL FROM api.cancel_purchase_order(%s, 'distributor out of stock')$$, tests.id('short')),
                  $$VALUES ('CANCELLED'::text, true)$$, 'a PARTIAL order cancelled is closed short');
SELECT results_eq(format('SELECT on_hand FROM api.inventory_stock WHERE variant_id = %s AND location_id = %s', tests.id('v_deny'), tests.id('a_store')),
                  $$VALUES (2)$$, 'what was received stays in stock');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
