-- Tests for functions/store/purchasing_guards: the rules that hold whoever writes (here the owner, past every function):
-- the status machine, a closed order frozen, lines only in a draft, the subtotal and total computed from the lines per
-- statement, a forged subtotal refused, amounts in the tenant currency's minor units, received only growing; a status
-- change is a HOT update.
BEGIN;
SELECT plan(19);

SELECT tests.purchasing_world('pug');
SELECT tests.put('draft', tests.purchase_order('a', 'acme', 'a_wh', format('[{"variant_id": %s, "quantity": 4}]', tests.id('v_deny'))::jsonb, false));

-- subtotal and total by the database
INSERT INTO store.purchase_order_line (tenant_id, purchase_order_id, variant_id, quantity_ordered, unit_cost)
VALUES (tests.id('a'), tests.id('draft'), tests.id('v_cont'), 3, 1.50), (tests.id('a'), tests.id('draft'), tests.id('v_slab'), 1, 100);
SELECT results_eq(format('SELECT subtotal, total_amount FROM store.purchase_order WHERE id = %s', tests.id('draft')),
                  $$VALUES (114.50::numeric, 114.50::numeric)$$, 'a direct insert of two lines: the subtotal is their sum (4 × 2.50 + 3 × 1.50 + 100)');
UPDATE store.purchase_order SET tax_amount = 5, shipping_amount = 2.5, total_amount = subtotal + 7.5 WHERE id = tests.id('draft');
DELETE FROM store.purchase_order_line WHERE purchase_order_id = tests.id('draft') AND variant_id = tests.id('v_slab');
SELECT results_eq(format('SELECT subtotal, total_amount FROM store.purchase_order WHERE id = %s', tests.id('draft')),
                  $$VALUES (14.50::numeric, 22.00::numeric)$$, 'removing a line: subtotal and total follow (tax and shipping kept)');
SELECT is(tests.error_of(format('UPDATE store.purchase_order SET subtotal = 1, total_amount = 8.5 WHERE id = %s', tests.id('draft'))),
          'PT400 STORE_PO_TOTAL_MISMATCH purchase order PO-000001: subtotal 1, but its lines sum to 14.50',
          'a forged subtotal is refused');
SELECT is(tests.error_of(format('UPDATE store.purchase_order SET tax_amount = 0.125, total_amount = subtotal + 2.625 WHERE id = %s',
                                tests.id('draft'))),
          'PT400 STORE_INVALID_PURCHASE tax_amount: USD allows 2 decimals, not 0.125', 'amounts: the currency''s minor units');
SELECT is(tests.error_of(format('UPDATE store.purchase_order_line SET unit_cost = 1.001 WHERE purchase_order_id = %s', tests.id('draft'))),
          'PT400 STORE_INVALID_PURCHASE unit_cost: USD allows 2 decimals, not 1.001', 'a line''s unit cost too');

-- the status machine
SELECT is(tests.error_of(format($$UPDATE store.purchase_order SET status = 'RECEIVED' WHERE id = %s$$, tests.id('draft'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000001 is DRAFT: it cannot become RECEIVED', 'DRAFT never jumps to RECEIVED');
SELECT is(tests.error_of(format($$UPDATE store.purchase_order SET status = 'CONFIRMED' WHERE id = %s$$, tests.id('draft'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000001 is DRAFT: it cannot become CONFIRMED', 'nor to CONFIRMED');
SELECT is(tests.error_of(format($$UPDATE store.purchase_order_line SET quantity_received = 1 WHERE purchase_order_id = %s$$, tests.id('draft'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000001 is DRAFT: receipts are taken from SUBMITTED until RECEIVED or CANCELLED',
          'a draft takes no receipt');
SELECT is(tests.error_of($$INSERT INTO store.purchase_order (tenant_id, distributor_id, po_number, currency, ship_to_location_id, status)
                           VALUES (tests.id('a'), tests.id('acme'), 'PO-999999', 'USD', tests.id('a_wh'), 'SUBMITTED')$$),
          'PT409 STORE_PO_TRANSITION a purchase order starts as a DRAFT, not SUBMITTED', 'an order starts as a DRAFT');
SELECT tests.put('hot', pg_stat_get_xact_tuples_hot_updated('store.purchase_order'::regclass));
SELECT tests.put('upd', pg_stat_get_xact_tuples_updated('store.purchase_order'::regclass));
UPDATE store.purchase_order SET status = 'SUBMITTED' WHERE id = tests.id('draft');
SELECT is((pg_stat_get_xact_tuples_updated('store.purchase_order'::regclass) - tests.id('upd'),
           pg_stat_get_xact_tuples_hot_updated('store.purchase_order'::regclass) - tests.id('hot')),
          (1::bigint, 1::bigint), 'a status change is one HOT update (no index names the status)');
SELECT ok((SELECT submitted_at IS NOT NULL FROM store.purchase_order WHERE id = tests.id('draft')), 'SUBMITTED stamps submitted_at');
SELECT is(tests.error_of(format('UPDATE store.purchase_order_line SET quantity_ordered = 9 WHERE purchase_order_id = %s', tests.id('draft'))),
          'PT409 STORE_PO_NOT_DRAFT purchase order PO-000001 is SUBMITTED: its lines change only in a DRAFT', 'lines change only in a draft');
SELECT is(tests.error_of(format('DELETE FROM store.purchase_order_line WHERE purchase_order_id = %s', tests.id('draft'))),
          'PT409 STORE_PO_NOT_DRAFT purchase order PO-000001 is SUBMITTED: its lines change only in a DRAFT', 'nor are removed');
UPDATE store.purchase_order_line SET quantity_received = 2 WHERE purchase_order_id = tests.id('draft') AND variant_id = tests.id('v_deny');
SELECT is(tests.error_of(format('UPDATE store.purchase_order_line SET quantity_received = 1 WHERE purchase_order_id = %s AND variant_id = %s',
                                tests.id('draft'), tests.id('v_deny'))) LIKE 'PT409 STORE_IMMUTABLE %: what was received only grows',
          true, 'received only grows');
UPDATE store.purchase_order SET status = 'PARTIAL' WHERE id = tests.id('draft');
UPDATE store.purchase_order SET status = 'CANCELLED', cancel_reason = 'closed short' WHERE id = tests.id('draft');
SELECT results_eq(format('SELECT status, closed_at IS NOT NULL FROM store.purchase_order WHERE id = %s', tests.id('draft')),
                  $$VALUES ('CANCELLED'::text, true)$$, 'PARTIAL → CANCELLED closes it short (closed_at stamped)');
SELECT is(tests.error_of(format($$UPDATE store.purchase_order SET notes = 'late' WHERE id = %s$$, tests.id('draft'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000001 is CANCELLED: it no longer changes', 'a closed order never changes');
SELECT is(tests.error_of(format($$UPDATE store.purchase_order SET po_number = 'PO-000009' WHERE id = %s$$, tests.id('draft'))),
          'PT409 STORE_IMMUTABLE purchase order PO-000001: its number, tenant, currency and author never change', 'its number never changes');
SELECT tests.put('po2', tests.purchase_order('a', 'acme', 'a_wh', format('[{"variant_id": %s, "quantity": 1}]', tests.id('v_deny'))::jsonb));
UPDATE store.purchase_order SET status = 'CONFIRMED' WHERE id = tests.id('po2');
UPDATE store.purchase_order_line SET quantity_received = 1 WHERE purchase_order_id = tests.id('po2');
UPDATE store.purchase_order SET status = 'RECEIVED' WHERE id = tests.id('po2');
SELECT results_eq(format('SELECT status, confirmed_at IS NOT NULL, closed_at IS NOT NULL FROM store.purchase_order WHERE id = %s', tests.id('po2')),
                  $$VALUES ('RECEIVED'::text, true, true)$$, 'SUBMITTED → CONFIRMED → RECEIVED, stamped');
SELECT is(tests.error_of(format($$UPDATE store.purchase_order SET status = 'CANCELLED' WHERE id = %s$$, tests.id('po2'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000002 is RECEIVED: it no longer changes', 'a received order is never cancelled');

SELECT * FROM finish();
ROLLBACK;
