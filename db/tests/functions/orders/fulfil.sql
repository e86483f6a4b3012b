-- Tests for functions/orders/fulfil: partial and whole fulfilment shipping the lines' live reservations, fulfilment
-- status and status following, tracking numbers, the payment rule (ONLINE_STORE ships once paid, POS may ship unpaid),
-- refusals, and another tenant.
BEGIN;
SELECT plan(16);

SELECT tests.orders_world('ofl');
SELECT tests.put('pos', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 4),
                                                           jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)),
                                    '{"source": "POS"}'));
SELECT tests.put('web', tests.place('kc|ofl-a-buyer', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1))));
SELECT tests.put('l1', (SELECT id FROM orders.line WHERE order_id = tests.id('pos') AND line_no = 1));
SELECT tests.put('l2', (SELECT id FROM orders.line WHERE order_id = tests.id('pos') AND line_no = 2));

SELECT tests.as_user('kc|ofl-a-admin');
-- the payment rule
SELECT is(tests.error_of(format('SELECT * FROM api.fulfil_order(%s)', tests.id('web'))),
          'PT409 ORDERS_NOT_FULFILLABLE order 2: an ONLINE_STORE order ships once paid in full (it is PENDING)',
          'an unpaid ONLINE_STORE order does not ship');
SELECT is(split_part(tests.error_of(format($$SELECT * FROM api.fulfil_order(%s, '[{"line_id": %s, "quantity": 5}]')$$,
                                           tests.id('pos'), tests.id('l1'))), ' ', 2),
          'ORDERS_FULFILMENT_EXCEEDS', 'never more than ordered');
SELECT is(split_part(tests.error_of(format($$SELECT * FROM api.fulfil_order(%s, '[{"line_id": %s, "quantity": 1}]')$$,
                                           tests.id('pos'), (SELECT id FROM orders.line WHERE order_id = tests.id('web')))), ' ', 2),
          'ORDERS_INVALID_INPUT', 'a line of another order is refused');
-- partial: 1 of line 1 (at the warehouse: 3 there, 1 at the store)
SELECT is((SELECT string_agg(format('%s:%s@%s', quantity, line_id = tests.id('l1'), location_id = tests.id('a_wh')), ',')
             FROM api.fulfil_order(tests.id('pos'), jsonb_build_array(jsonb_build_object('line_id', tests.id('l1'), 'quantity', 1)),
                                   ARRAY['1Z1'])),
          '1:t@t', 'an unpaid POS order ships, in part');
SELECT is((SELECT (status, fulfillment_status, tracking_numbers)::text FROM api.orders WHERE id = tests.id('pos')),
          '(PROCESSING,PARTIAL,{1Z1})', 'PARTIAL, and PENDING → PROCESSING on the first shipment');
SELECT is(split_part(tests.error_of(format('SELECT * FROM api.fulfil_order(%s, NULL, ''{}'', %s)', tests.id('pos'), tests.id('a_cons'))), ' ', 2),
          'ORDERS_NOT_FULFILLABLE', 'nothing reserved at the location named');
-- the rest
SELECT is((SELECT string_agg(format('%s/%s', quantity, reservation_id IS NULL), ',' ORDER BY line_id, location_id)
             FROM api.fulfil_order(tests.id('pos'), NULL, ARRAY['1Z2', '1Z1'])),
          '2/f,1/f,1/t', 'everything left: 2 from the warehouse, 1 from the store, the untracked line just counts');
SELECT is((SELECT (status, fulfillment_status, tracking_numbers, fulfilled_at = now())::text FROM api.orders WHERE id = tests.id('pos')),
          '(FULFILLED,FULFILLED,"{1Z1,1Z2}",t)', 'FULFILLED with its time; tracking numbers appended once');
SELECT is(split_part(tests.error_of(format('SELECT * FROM api.fulfil_order(%s)', tests.id('pos'))), ' ', 2),
          'ORDERS_NOT_FULFILLABLE', 'a fulfilled order ships nothing more');
SELECT tests.as_owner();
SELECT is((SELECT string_agg(format('%s=%s/%s', location_id, on_hand, reserved), ' ' ORDER BY location_id) FROM inventory.stock
            WHERE variant_id = tests.id('v_deny')),
          format('%s=0/0 %s=1/1', tests.id('a_wh'), tests.id('a_store')), 'on hand and reserved dropped by what shipped');
SELECT is((SELECT count(*)::int FROM inventory.movement WHERE kind = 'SHIP' AND ref_module = 'orders'), 3, 'SHIP movements');
-- once paid, the web order ships
SELECT orders.apply_payment(tests.id('a'), tests.id('web'), 'EXTERNAL', 10.83,
                            orders.channel_account(tests.id('a'), 'ONLINE_STORE'), NULL, 'pay-1');
SELECT tests.as_user('kc|ofl-b-admin');
SELECT is(split_part(tests.error_of(format('SELECT * FROM api.fulfil_order(%s)', tests.id('web'))), ' ', 2),
          'ORDERS_UNKNOWN_ORDER', 'another tenant''s staff cannot fulfil it');
SELECT tests.as_user('kc|ofl-a-buyer');
SELECT is(split_part(tests.error_of(format('SELECT * FROM api.fulfil_order(%s)', tests.id('web'))), ' ', 2),
          'IDENTITY_PERMISSION_DENIED', 'nor its customer');
SELECT tests.as_user('kc|ofl-a-admin');
SELECT is((SELECT sum(quantity)::int FROM api.fulfil_order(tests.id('web'))), 1, 'paid in full, the web order ships');
SELECT tests.as_owner();
-- the internal entry point, for fulfilment batches
SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.oid = 'orders.fulfil_for(bigint, bigint, jsonb, text[], bigint)'::regprocedure
             AND has_function_privilege('mercato_user', p.oid, 'EXECUTE')), 0, 'fulfil_for is granted to no API role');
SELECT is((SELECT count(*)::int FROM inventory.check() WHERE NOT ok), 0, 'inventory.check() clean');

SELECT * FROM finish();
ROLLBACK;
