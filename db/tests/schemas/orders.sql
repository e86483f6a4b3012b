-- Tests for schemas/orders: the rules the tables keep whoever writes (totals add up, financial status agrees with the
-- amounts, no row points into another tenant, history append-only), and no API role writes them.
BEGIN;
SELECT plan(16);

SELECT tests.inventory_world('ord');
WITH o AS (INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_discounts, total_tax,
                                           total_shipping, total_price)
           VALUES (tests.id('a'), 1, 'ONLINE_STORE', 'USD', 20, 2, 1.50, 5, 24.50) RETURNING id)
SELECT tests.put('o', o.id) FROM o;

SELECT throws_like($$INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_price)
                     VALUES (tests.id('a'), 2, 'ONLINE_STORE', 'USD', 20, 21)$$, '%sales_order_total_check%',
                   'a total that does not add up is refused');
SELECT throws_like($$INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_price)
                     VALUES (tests.id('a'), 1, 'EBAY', 'USD', 1, 1)$$, '%sales_order_tenant_id_number_key%',
                   'an order number is unique per tenant');
SELECT lives_ok($$INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_price)
                  VALUES (tests.id('b'), 1, 'EBAY', 'USD', 1, 1)$$, 'another tenant has its own number 1');
SELECT throws_like($$INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_price)
                     VALUES (tests.id('a'), 3, 'ONLINE_STORE', 'EUR', 1, 1)$$, '%sales_order_currency_fkey%',
                   'an order is in its tenant''s currency');
SELECT throws_like($$INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_price)
                     VALUES (tests.id('a'), 3, 'WHATSAPP', 'USD', 1, 1)$$, '%sales_order_source_fkey%',
                   'an unknown source is refused');
SELECT throws_like($$UPDATE orders.sales_order SET financial_status = 'PAID' WHERE id = tests.id('o')$$,
                   '%sales_order_financial_check%', 'PAID without the money is refused');
-- (a financial status moving PENDING → PARTIALLY_REFUNDED is refused first by the transition trigger, functions/orders/guards)
SELECT throws_like($$UPDATE orders.sales_order SET amount_refunded = 1 WHERE id = tests.id('o')$$,
                   '%sales_order_paid_check%', 'more refunded than paid is refused');
SELECT lives_ok($$UPDATE orders.sales_order SET amount_paid = 24.50, financial_status = 'PAID' WHERE id = tests.id('o')$$,
                'PAID with the total paid');
SELECT throws_like($$UPDATE orders.sales_order SET amount_refunded = 24.50 WHERE id = tests.id('o')$$,
                   '%sales_order_financial_check%', 'a refund must move the financial status too');
SELECT throws_like($$UPDATE orders.sales_order SET status = 'CANCELLED' WHERE id = tests.id('o')$$,
                   '%sales_order_cancelled_check%', 'a cancellation needs its time and reason');
SELECT throws_like($$INSERT INTO orders.line (tenant_id, order_id, line_no, variant_id, quantity, price, taxable, title, sku)
                     VALUES (tests.id('a'), tests.id('o'), 1, tests.id('v_b'), 1, 10, true, 'x', 'x')$$,
                   '%line_variant_id_fkey%', 'a line cannot name another tenant''s variant');
SELECT throws_like($$INSERT INTO orders.line (tenant_id, order_id, line_no, variant_id, quantity, price, taxable, title, sku,
                                             fulfilled_quantity)
                     VALUES (tests.id('a'), tests.id('o'), 1, tests.id('v_deny'), 1, 10, true, 'x', 'x', 2)$$,
                   '%line_fulfilled_check%', 'a line never fulfils more than its quantity');
INSERT INTO orders.payment (tenant_id, order_id, kind, method, amount, currency, external_reference)
VALUES (tests.id('a'), tests.id('o'), 'PAYMENT', 'EXTERNAL', 24.50, 'USD', 'ch_1');
SELECT throws_like($$UPDATE orders.payment SET amount = 1$$, 'ORDERS_IMMUTABLE:%', 'payments are append-only');
SELECT throws_like($$INSERT INTO orders.payment (tenant_id, order_id, kind, method, amount, currency, external_reference)
                     VALUES (tests.id('a'), tests.id('o'), 'PAYMENT', 'EXTERNAL', 1, 'USD', 'ch_1')$$,
                   '%payment_external_reference_key%', 'an external payment reference is recorded once per tenant');
SELECT throws_like($$DELETE FROM orders.sales_order$$, 'ORDERS_IMMUTABLE:%', 'orders are never deleted');
SELECT ok(NOT has_table_privilege('mercato_user', 'orders.sales_order', 'INSERT') AND
          NOT has_table_privilege('mercato_service', 'orders.payment', 'INSERT') AND
          NOT has_table_privilege('mercato_user', 'orders.customer', 'UPDATE'), 'no API role writes the orders tables');

SELECT * FROM finish();
ROLLBACK;
