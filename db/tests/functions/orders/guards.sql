-- Tests for functions/orders/guards: the allowed transitions of status, financial status and fulfilment status (the
-- whole table, and the trigger refusing whoever writes), the order's identity fixed, updated_at kept, the deferred
-- totals proof against the lines, and the JSON readers naming the field (the tenant of a call: in each use case's test).
BEGIN;
SELECT plan(22);

SELECT tests.orders_world('og');
CREATE FUNCTION pg_temp.at_commit(p_sql text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE p_sql;
    SET CONSTRAINTS ALL IMMEDIATE;   -- the deferred constraint triggers fire now, as at commit
    SET CONSTRAINTS ALL DEFERRED;
END $f$;
SELECT tests.put('o', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 2)),
                                  '{"source": "POS"}'));

-- the whole table of transitions: every pair of states, allowed exactly as docs/orders.md says
SELECT set_eq(
    $$SELECT f, a, b FROM (VALUES ('status'), ('financial_status'), ('fulfillment_status')) x(f),
             unnest(ARRAY['PENDING', 'PROCESSING', 'FULFILLED', 'CANCELLED', 'REFUNDED', 'AUTHORIZED', 'PARTIALLY_PAID',
                          'PAID', 'PARTIALLY_REFUNDED', 'VOIDED', 'UNFULFILLED', 'PARTIAL']) a,
             unnest(ARRAY['PENDING', 'PROCESSING', 'FULFILLED', 'CANCELLED', 'REFUNDED', 'AUTHORIZED', 'PARTIALLY_PAID',
                          'PAID', 'PARTIALLY_REFUNDED', 'VOIDED', 'UNFULFILLED', 'PARTIAL']) b
       WHERE a <> b AND orders.transition_allowed(f, a, b)$$,
    $$VALUES ('status', 'PENDING', 'PROCESSING'), ('status', 'PENDING', 'CANCELLED'),
             ('status', 'PROCESSING', 'FULFILLED'), ('status', 'PROCESSING', 'CANCELLED'),
             ('status', 'FULFILLED', 'REFUNDED'),
             ('financial_status', 'PENDING', 'AUTHORIZED'), ('financial_status', 'PENDING', 'PARTIALLY_PAID'),
             ('financial_status', 'PENDING', 'PAID'), ('financial_status', 'PENDING', 'VOIDED'),
             ('financial_status', 'AUTHORIZED', 'PARTIALLY_PAID'), ('financial_status', 'AUTHORIZED', 'PAID'),
             ('financial_status', 'AUTHORIZED', 'VOIDED'),
             ('financial_status', 'PARTIALLY_PAID', 'PAID'), ('financial_status', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED'),
             ('financial_status', 'PARTIALLY_PAID', 'REFUNDED'),
             ('financial_status', 'PAID', 'PARTIALLY_REFUNDED'), ('financial_status', 'PAID', 'REFUNDED'),
             ('financial_status', 'PARTIALLY_REFUNDED', 'REFUNDED'),
             ('fulfillment_status', 'UNFULFILLED', 'PARTIAL'), ('fulfillment_status', 'UNFULFILLED', 'FULFILLED'),
             ('fulfillment_status', 'PARTIAL', 'FULFILLED')$$,
    'the allowed transitions, every pair of states checked');
SELECT ok(orders.transition_allowed('status', 'CANCELLED', 'CANCELLED')
          AND orders.transition_allowed('financial_status', 'PARTIALLY_REFUNDED', 'PARTIALLY_REFUNDED')
          AND orders.transition_allowed('fulfillment_status', 'FULFILLED', 'FULFILLED'),
          'staying in a state is always allowed (a no-op)');

-- the trigger refuses, whoever writes (here the owner), naming field, from and to
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET status = 'FULFILLED' WHERE id = %s$$, tests.id('o'))),
          format('PT409 ORDERS_INVALID_TRANSITION order %s: status PENDING → FULFILLED', tests.id('o')),
          'status PENDING → FULFILLED refused for the owner too');
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET financial_status = 'REFUNDED', amount_paid = 1,
                                   amount_refunded = 1 WHERE id = %s$$, tests.id('o'))),
          format('PT409 ORDERS_INVALID_TRANSITION order %s: financial_status PENDING → REFUNDED', tests.id('o')),
          'financial status PENDING → REFUNDED refused');
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET fulfillment_status = 'PARTIAL' WHERE id = %s$$, tests.id('o'))),
          NULL, 'fulfilment status UNFULFILLED → PARTIAL allowed');
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET fulfillment_status = 'UNFULFILLED' WHERE id = %s$$,
                                tests.id('o'))),
          format('PT409 ORDERS_INVALID_TRANSITION order %s: fulfillment_status PARTIAL → UNFULFILLED', tests.id('o')),
          'fulfilment status PARTIAL → UNFULFILLED refused');
UPDATE orders.sales_order SET status = 'PROCESSING' WHERE id = tests.id('o');
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET status = 'PENDING' WHERE id = %s$$, tests.id('o'))),
          format('PT409 ORDERS_INVALID_TRANSITION order %s: status PROCESSING → PENDING', tests.id('o')),
          'status never goes back');
UPDATE orders.sales_order SET status = 'CANCELLED', cancelled_at = now(), cancel_reason = 'test' WHERE id = tests.id('o');
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET status = 'PROCESSING', cancelled_at = NULL,
                                   cancel_reason = NULL WHERE id = %s$$, tests.id('o'))),
          format('PT409 ORDERS_INVALID_TRANSITION order %s: status CANCELLED → PROCESSING', tests.id('o')),
          'CANCELLED is final');
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET note = 'still noted' WHERE id = %s$$, tests.id('o'))),
          NULL, 'other columns of a cancelled order may still change (same states: a no-op for the machine)');

-- identity fixed; a customer once set stays
SELECT tests.put('o2', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)),
                                   '{"source": "POS"}'));
SELECT is(split_part(tests.error_of(format($$UPDATE orders.sales_order SET number = 999 WHERE id = %s$$, tests.id('o2'))), ' ', 2),
          'ORDERS_IMMUTABLE', 'the number never changes');
SELECT is(split_part(tests.error_of(format($$UPDATE orders.sales_order SET source = 'EBAY' WHERE id = %s$$, tests.id('o2'))), ' ', 2),
          'ORDERS_IMMUTABLE', 'the source never changes');
SELECT is(tests.error_of(format($$UPDATE orders.sales_order SET customer_id = %s WHERE id = %s$$, tests.id('cust'),
                                tests.id('o2'))), NULL, 'a customer may be set once');
SELECT is(split_part(tests.error_of(format($$UPDATE orders.sales_order SET customer_id = %s WHERE id = %s$$, tests.id('cust2'),
                                           tests.id('o2'))), ' ', 2),
          'ORDERS_IMMUTABLE', 'and then never changes');
UPDATE orders.sales_order SET updated_at = '2001-01-01' WHERE id = tests.id('o2');
SELECT is((SELECT updated_at FROM orders.sales_order WHERE id = tests.id('o2')), now(), 'updated_at is kept by the trigger');

-- the totals proof at commit, whoever writes
SELECT is(tests.error_of(format($$SELECT pg_temp.at_commit('UPDATE orders.sales_order SET subtotal = subtotal + 1,
                                   total_price = total_price + 1 WHERE id = %s')$$, tests.id('o2'))),
          format('PT422 ORDERS_TOTALS_MISMATCH order %s: subtotal 11, discounts 0, tax 0.83; its lines sum to 10, 0, 0.83',
                 tests.id('o2')),
          'an order whose subtotal is not its lines'' sum is refused at commit (CHECK total still holds)');
SELECT is(split_part(tests.error_of(format($$SELECT pg_temp.at_commit('UPDATE orders.line SET tax_amount = 0 WHERE order_id = %s')$$,
                                           tests.id('o2'))), ' ', 2),
          'ORDERS_TOTALS_MISMATCH', 'a line changed under its order is refused at commit');
SELECT is(tests.error_of(format($$SELECT pg_temp.at_commit('UPDATE orders.line SET tax_amount = 0 WHERE order_id = %1$s;
                                   UPDATE orders.sales_order SET total_tax = 0, total_price = total_price - 0.83 WHERE id = %1$s')$$,
                                tests.id('o2'))),
          NULL, 'line and order changed together pass');
SELECT is(split_part(tests.error_of(format($$SELECT pg_temp.at_commit('INSERT INTO orders.line (tenant_id, order_id, line_no,
                                   variant_id, quantity, price, taxable, title, sku) VALUES (%s, %s, 9, %s, 1, 5, false, ''x'', ''x'')')$$,
                                           tests.id('a'), tests.id('o2'), tests.id('v_free'))), ' ', 2),
          'ORDERS_TOTALS_MISMATCH', 'a line added behind its order''s back is refused at commit');
SELECT ok((SELECT count(*) FROM pg_trigger WHERE tgname IN ('sales_order_totals', 'line_totals') AND tgdeferrable
                                             AND tginitdeferred) = 2, 'both totals triggers are deferred to commit');

-- the readers name the field
SELECT is(tests.error_of($$SELECT orders.doc_keys('{"linez": 1}', ARRAY['lines'], 'order')$$),
          'PT400 ORDERS_INVALID_INPUT order.linez: unknown field (allowed: lines)', 'an unknown field is named');
SELECT is(tests.error_of($$SELECT orders.doc_numeric('{"price": "1,5"}', 'price', 'lines[2]')$$),
          'PT400 ORDERS_INVALID_INPUT lines[2].price: a decimal number (a JSON number or string)', 'a malformed amount is named');
SELECT is(tests.error_of($$SELECT orders.check_amount('shipping', 1.005, 2)$$),
          'PT400 ORDERS_INVALID_INPUT shipping: a non-negative amount below 10^15 with at most 2 decimals',
          'more decimals than the currency has are refused');

SELECT * FROM finish();
ROLLBACK;
