-- Tests for functions/orders/open_lines: the lines of orders with what remains to fulfil, per tenant; internal.
BEGIN;
SELECT plan(3);

SELECT tests.inventory_world('oln');
SELECT inventory.receive_in(tests.id('a'), tests.id('v_deny'), tests.id('a_wh'), 10);
SELECT tests.put('o', tests.reserved_order(tests.id('a'), jsonb_build_array(
    jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 2), jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))));
UPDATE orders.line SET fulfilled_quantity = 1 WHERE order_id = tests.id('o') AND line_no = 1;
SELECT results_eq($$SELECT variant_id, quantity, fulfilled_quantity, unfulfilled FROM orders.open_lines_for(tests.id('a'), ARRAY[tests.id('o')])$$,
                  $$VALUES (tests.id('v_deny'), 2, 1, 1), (tests.id('v_free'), 1, 0, 1)$$, 'each line with what remains');
SELECT is_empty($$SELECT 1 FROM orders.open_lines_for(tests.id('b'), ARRAY[tests.id('o')])$$, 'not another tenant''s order');
SELECT ok(NOT has_function_privilege('mercato_user', 'orders.open_lines_for(bigint, bigint[])', 'EXECUTE'), 'internal');

SELECT * FROM finish();
ROLLBACK;
