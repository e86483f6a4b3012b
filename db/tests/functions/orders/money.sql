-- Tests for functions/orders/money: payments and refunds move money in the ledger and keep the order's amounts and
-- financial status in step; every refusal leaves nothing changed; internal only.
BEGIN;
SELECT plan(22);

SELECT tests.inventory_world('omny');
WITH o AS (INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_tax, total_price)
           VALUES (tests.id('a'), 1, 'EBAY', 'USD', 20, 1.60, 21.60) RETURNING id)
SELECT tests.put('o', o.id) FROM o;
WITH l AS (INSERT INTO orders.line (tenant_id, order_id, line_no, variant_id, quantity, price, taxable, tax_rate, tax_amount,
                                    title, sku)
           VALUES (tests.id('a'), tests.id('o'), 1, tests.id('v_deny'), 2, 10, true, 0.08, 1.60, 'Card', 'omny-DENY')
           RETURNING id)
SELECT tests.put('l', l.id) FROM l;
SELECT tests.put('chan', orders.channel_account(tests.id('a'), 'EBAY'));
SELECT tests.put('rev', orders.revenue_account(tests.id('a')));
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $f$
    SELECT format('%s %s paid %s refunded %s', status, financial_status, amount_paid, amount_refunded)
      FROM orders.sales_order WHERE id = tests.id('o') $f$;

SELECT is(orders.revenue_account(tests.id('a')), tests.id('rev'), 'the sales account is opened once');
SELECT is((SELECT slots::int FROM ledger.account WHERE id = tests.id('rev')), 16, 'and is hot');
SELECT throws_like($$SELECT orders.apply_payment(tests.id('a'), tests.id('o'), 'EXTERNAL', 30, tests.id('chan'), NULL, 'x')$$,
                   'ORDERS_PAYMENT_EXCEEDS:%', 'paying more than the total is refused');
SELECT throws_like($$SELECT orders.apply_payment(tests.id('a'), tests.id('o'), 'EXTERNAL', 1.001, tests.id('chan'), NULL, 'x')$$,
                   'ORDERS_INVALID_INPUT:%', 'an amount finer than the currency is refused');
SELECT throws_like($$SELECT orders.apply_payment(tests.id('b'), tests.id('o'), 'EXTERNAL', 1, tests.id('chan'), NULL, 'x')$$,
                   'ORDERS_UNKNOWN_ORDER:%', 'another tenant''s order is unknown');
SELECT is(pg_temp.state(), 'PENDING PENDING paid 0 refunded 0', 'nothing changed');
SELECT tests.put('p1', (orders.apply_payment(tests.id('a'), tests.id('o'), 'EXTERNAL', 10, tests.id('chan'), NULL, 'eb-1')).id);
SELECT is(pg_temp.state(), 'PENDING PARTIALLY_PAID paid 10 refunded 0', 'a part payment');
SELECT throws_like($$SELECT orders.apply_payment(tests.id('a'), tests.id('o'), 'EXTERNAL', 1, tests.id('chan'), NULL, 'eb-1')$$,
                   'ORDERS_PAYMENT_TAKEN:%', 'an external reference is recorded once');
SELECT tests.put('p2', (orders.apply_payment(tests.id('a'), tests.id('o'), 'EXTERNAL', 11.60, tests.id('chan'), NULL, 'eb-2')).id);
SELECT is(pg_temp.state(), 'PROCESSING PAID paid 21.60 refunded 0', 'paid in full: PAID and PROCESSING');
SELECT is((SELECT balance FROM ledger.account_balance(tests.id('rev'))), 21.60, 'the sales account holds the money');
SELECT is((SELECT balance FROM ledger.account_balance(tests.id('chan'))), -21.60, 'taken from the channel''s clearing account');
SELECT throws_like($$SELECT orders.apply_payment(tests.id('a'), tests.id('o'), 'EXTERNAL', 1, tests.id('chan'), NULL, 'eb-3')$$,
                   'ORDERS_NOT_PAYABLE:%', 'a paid order takes no more payments');

-- refunds
SELECT throws_like($$SELECT orders.apply_refund(tests.id('a'), tests.id('p1'), 10.01, 'too much')$$,
                   'ORDERS_REFUND_EXCEEDS:%', 'a refund beyond its payment is refused');
SELECT throws_like($$SELECT orders.apply_refund(tests.id('a'), tests.id('p1'), 5, 'damaged',
                                                p_lines => jsonb_build_array(jsonb_build_object('line_id', tests.id('l'), 'quantity', 3)))$$,
                   'ORDERS_REFUND_EXCEEDS:%', 'more units than bought are refused');
SELECT throws_like($$SELECT orders.apply_refund(tests.id('a'), tests.id('p1'), 5, 'damaged',
                                                p_lines => jsonb_build_array(jsonb_build_object('line_id', 999999999, 'quantity', 1)))$$,
                   'ORDERS_INVALID_INPUT:%', 'a line of another order is refused');
SELECT throws_like($$SELECT orders.apply_refund(tests.id('a'), tests.id('p1'), 5, ' ')$$, 'ORDERS_INVALID_INPUT:%',
                   'a refund needs a reason');
SELECT is(pg_temp.state(), 'PROCESSING PAID paid 21.60 refunded 0', 'nothing changed by the refusals');
SELECT lives_ok($$SELECT orders.apply_refund(tests.id('a'), tests.id('p1'), 10, 'one card damaged',
                                             p_lines => jsonb_build_array(jsonb_build_object('line_id', tests.id('l'), 'quantity', 1)))$$,
                'a partial refund of one line');
SELECT is(pg_temp.state(), 'PROCESSING PARTIALLY_REFUNDED paid 21.60 refunded 10', 'partially refunded');
SELECT is((SELECT refunded_quantity FROM orders.line WHERE id = tests.id('l')), 1, 'the line counts the refunded unit');
SELECT is((SELECT balance FROM ledger.account_balance(tests.id('chan'))), -11.60, 'the money went back to the channel');
SELECT ok(NOT has_function_privilege('mercato_user', 'orders.apply_payment(bigint, bigint, text, numeric, bigint, bigint, text, bigint)',
                                     'EXECUTE') AND
          NOT has_function_privilege('mercato_service', 'orders.apply_refund(bigint, bigint, numeric, text, bigint, jsonb, text, bigint)',
                                     'EXECUTE'), 'internal: no API role pays or refunds directly');

SELECT * FROM finish();
ROLLBACK;
