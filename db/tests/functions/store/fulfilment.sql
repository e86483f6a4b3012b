-- Tests for functions/store/fulfilment: a batch of orders at a location, its pick list summed per variant, the status
-- machine, shipping through the orders module (partial when a line is reserved elsewhere), cancel, refusals with
-- nothing changed, another tenant and a user without the permission.
BEGIN;
SELECT plan(26);

SELECT tests.inventory_world('ful');
SELECT inventory.receive_in(tests.id('a'), tests.id('v_deny'), tests.id('a_wh'), 10);
SELECT inventory.receive_in(tests.id('a'), tests.id('v_cont'), tests.id('a_wh'), 10);
SELECT inventory.receive_in(tests.id('a'), tests.id('v_deny'), tests.id('a_store'), 10);
SELECT tests.put('o1', tests.reserved_order(tests.id('a'), jsonb_build_array(
    jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 2, 'location_id', tests.id('a_wh')),
    jsonb_build_object('variant_id', tests.id('v_cont'), 'quantity', 1, 'location_id', tests.id('a_wh')))));
SELECT tests.put('o2', tests.reserved_order(tests.id('a'), jsonb_build_array(
    jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 3, 'location_id', tests.id('a_wh')),
    jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1, 'location_id', tests.id('a_store')))));
SELECT tests.put('o3', tests.reserved_order(tests.id('a'), jsonb_build_array(
    jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1, 'location_id', tests.id('a_store')))));
CREATE FUNCTION pg_temp.ids(VARIADIC k text[]) RETURNS jsonb LANGUAGE sql AS
$f$ SELECT jsonb_agg(tests.id(x)) FROM unnest(k) x $f$;
GRANT EXECUTE ON FUNCTION pg_temp.ids(text[]) TO PUBLIC;

SELECT tests.as_user('kc|ful-a-clerk');
SELECT throws_like($$SELECT api.create_fulfilment_batch(tests.id('a_wh'), pg_temp.ids('o1'))$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a clerk without store.manage or orders.manage creates no batch');
RESET ROLE;
SELECT tests.as_user('kc|ful-b-admin');
SELECT throws_like($$SELECT api.create_fulfilment_batch(tests.id('b_wh'), pg_temp.ids('o1'))$$, 'STORE_ORDER_NOT_BATCHABLE:%',
                   'another shop cannot batch this shop''s orders');
SELECT throws_like($$SELECT api.create_fulfilment_batch(tests.id('a_wh'))$$, 'STORE_INVALID_BATCH_INPUT:%',
                   'nor use its location');
RESET ROLE;

SELECT tests.as_user('kc|ful-a-admin');
SELECT throws_like($$SELECT api.create_fulfilment_batch(tests.id('a_wh'), pg_temp.ids('o3'))$$, 'STORE_ORDER_NOT_BATCHABLE:%',
                   'an order with nothing reserved at the location cannot join');
SELECT is((SELECT count(*) FROM api.fulfilment_batches), 0::bigint, 'and the refused call left no batch');
SELECT throws_like($$SELECT api.create_fulfilment_batch(tests.id('a_wh'), '[1.5]')$$, 'STORE_INVALID_BATCH_INPUT:%',
                   'order ids are whole numbers');
SELECT tests.put('b1', (api.create_fulfilment_batch(tests.id('a_wh'), pg_temp.ids('o1', 'o2'), tests.id('a_admin'), 30)).id);
SELECT results_eq($$SELECT number, status, total_orders, total_items FROM api.fulfilment_batches WHERE id = tests.id('b1')$$,
                  $$VALUES (1::bigint, 'CREATED', 2, 6)$$, 'batch 1: two orders, six items at the warehouse');
SELECT results_eq($$SELECT variant_id, quantity, orders FROM api.batch_pick_list(tests.id('b1'))$$,
                  $$VALUES (tests.id('v_cont'), 1, 1), (tests.id('v_deny'), 5, 2)$$,
                  'the pick list sums each variant over the orders (only what is reserved here)');
SELECT throws_like($$SELECT api.create_fulfilment_batch(tests.id('a_wh'), pg_temp.ids('o2'))$$, 'STORE_ORDER_NOT_BATCHABLE:%',
                   'an order is in one open batch at a time');
SELECT throws_like($$SELECT api.ship_fulfilment_batch(tests.id('b1'))$$, 'STORE_BATCH_TRANSITION:%',
                   'a batch ships only from PACKING');
SELECT throws_like($$SELECT api.advance_fulfilment_batch(tests.id('b1'), 'PACKING')$$, 'STORE_BATCH_TRANSITION:%',
                   'steps are not skipped');
SELECT is((api.advance_fulfilment_batch(tests.id('b1'), 'PICKING')).status, 'PICKING', 'picking');
SELECT throws_like($$SELECT api.add_batch_orders(tests.id('b1'), pg_temp.ids('o3'))$$, 'STORE_BATCH_TRANSITION:%',
                   'orders join only a CREATED batch');
SELECT is((api.advance_fulfilment_batch(tests.id('b1'), 'PICKED')).status, 'PICKED', 'picked');
SELECT is((api.advance_fulfilment_batch(tests.id('b1'), 'PACKING')).status, 'PACKING', 'packing');
SELECT throws_like($$SELECT api.ship_fulfilment_batch(tests.id('b1'), jsonb_build_object(tests.id('o3')::text, '["X"]'::jsonb))$$,
                   'STORE_INVALID_BATCH_INPUT:%', 'tracking numbers only for the batch''s orders');
SELECT is((api.ship_fulfilment_batch(tests.id('b1'), jsonb_build_object(tests.id('o1')::text, '["1Z999"]'::jsonb))).status,
          'SHIPPED', 'shipped');
RESET ROLE;
SELECT results_eq($$SELECT id, fulfillment_status FROM orders.sales_order WHERE id IN (tests.id('o1'), tests.id('o2')) ORDER BY id$$,
                  $$VALUES (tests.id('o1'), 'FULFILLED'), (tests.id('o2'), 'PARTIAL')$$,
                  'order 1 is fulfilled; order 2 partly (one unit is reserved at the store)');
SELECT is((SELECT tracking_numbers FROM orders.sales_order WHERE id = tests.id('o1')), ARRAY['1Z999'],
          'the order has its tracking number');
SELECT results_eq($$SELECT on_hand, reserved FROM inventory.stock WHERE variant_id = tests.id('v_deny') AND location_id = tests.id('a_wh')$$,
                  $$VALUES (5, 0)$$, 'the warehouse shipped five units of the DENY variant');
SELECT is_empty($$SELECT * FROM inventory.check() WHERE NOT ok$$, 'the inventory is consistent');
SELECT tests.as_user('kc|ful-a-admin');
SELECT throws_like($$SELECT api.cancel_fulfilment_batch(tests.id('b1'), 'too late')$$, 'STORE_BATCH_TRANSITION:%',
                   'a shipped batch cannot be cancelled');
SELECT is((api.advance_fulfilment_batch(tests.id('b1'), 'COMPLETED')).status, 'COMPLETED', 'completed');
-- the rest of order 2 ships from the store in a second batch, which is then cancelled instead
SELECT tests.put('b2', (api.create_fulfilment_batch(tests.id('a_store'), pg_temp.ids('o2', 'o3'))).id);
SELECT results_eq($$SELECT number, total_orders, total_items FROM api.fulfilment_batches WHERE id = tests.id('b2')$$,
                  $$VALUES (2::bigint, 2, 2)$$, 'batch 2 takes the rest of order 2 and order 3 at the store');
SELECT is((api.cancel_fulfilment_batch(tests.id('b2'), 'courier strike')).status, 'CANCELLED', 'cancelled with a reason');
SELECT is((SELECT count(*) FROM api.fulfilment_batch_orders WHERE open), 0::bigint, 'its orders are free again');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
