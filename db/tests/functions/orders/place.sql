-- Tests for functions/orders/place: what the database computes (catalog snapshot, prices, discounts, tax per line,
-- totals), expected totals refused with nothing written, every line reserved in one call (refused with nothing written),
-- customers placing for themselves only, staff for any customer of their tenant, another tenant's variants and
-- customers refused, and numbers gapless across a rolled-back placement.
BEGIN;
SELECT plan(28);

SELECT tests.orders_world('opl');
CREATE FUNCTION pg_temp.written() RETURNS text LANGUAGE sql SECURITY DEFINER AS $f$
    SELECT format('%s orders, %s lines, %s reservations, counter %s', (SELECT count(*) FROM orders.sales_order),
                  (SELECT count(*) FROM orders.line), (SELECT count(*) FROM inventory.reservation),
                  (SELECT coalesce(max(c.last_value), 0) FROM core.counter c WHERE c.scope = 'orders.sales_order'
                      AND c.key = tests.id('a')::text)) $f$;
GRANT EXECUTE ON FUNCTION pg_temp.written() TO PUBLIC;

-- staff: a POS order with a staff price, a discount, shipping; tax per line, rounded per line
SELECT tests.as_user('kc|opl-a-admin');
CREATE TEMP TABLE o1 AS SELECT api.place_order(jsonb_build_object(
    'source', 'POS', 'customer_id', tests.id('cust2'), 'shipping', '4.99', 'note', 'gift', 'tags', jsonb_build_array('vip'),
    'lines', jsonb_build_array(
        jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 2, 'discount', '1.50'),
        jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1, 'price', '7.25'))),
    '{"subtotal": "27.25", "total_discounts": "1.5", "total_tax": 2.13, "total_price": "32.87"}') AS d;
GRANT SELECT ON o1 TO PUBLIC;
SELECT is((SELECT d ->> 'number' FROM o1), '1', 'the tenant''s first number');
SELECT is((SELECT (d ->> 'subtotal', d ->> 'total_discounts', d ->> 'total_tax', d ->> 'total_shipping', d ->> 'total_price')::text FROM o1),
          '(27.25,1.50,2.13,4.99,32.87)', 'subtotal, discounts, tax, shipping and total computed by the database');
SELECT is((SELECT string_agg(format('%s×%s@%s-%s tax %s (%s) %s/%s', l ->> 'line_no', l ->> 'quantity', l ->> 'price',
                                    l ->> 'total_discount', l ->> 'tax_amount', l ->> 'tax_code', l ->> 'sku', l ->> 'title'), '; ')
             FROM o1, jsonb_array_elements(d -> 'lines') l),
          '1×2@10-1.50 tax 1.53 (STANDARD) opl-DENY/Product opl-DENY; 2×1@7.25-0 tax 0.60 (STANDARD) opl-FREE/Product opl-FREE',
          'lines: catalog price unless staff set one, discount, tax per line (18.50 × 8.25 % = 1.52625 → 1.53), snapshot');
SELECT is((SELECT (d ->> 'status', d ->> 'financial_status', d ->> 'fulfillment_status', d ->> 'customer_email', d ->> 'source')::text FROM o1),
          '(PENDING,PENDING,UNFULFILLED,opl-other@example.com,POS)', 'a new order: pending, unfulfilled, the customer''s e-mail');
SELECT tests.as_owner();
SELECT is((SELECT string_agg(format('%s %s %s %s', r.ref_module, r.ref_entity, r.quantity, r.channel), ',')
             FROM inventory.reservation r WHERE r.ref_id = (SELECT d -> 'lines' -> 0 ->> 'id' FROM o1)),
          'orders line 2 POS', 'the tracked line is reserved under orders/line/<line id>, channel = the source');
SELECT is((SELECT count(*)::int FROM inventory.reservation r WHERE r.ref_id = (SELECT d -> 'lines' -> 1 ->> 'id' FROM o1)), 0,
          'an untracked variant reserves nothing');
-- later catalog edits do not change the snapshot
UPDATE catalog.product SET title = 'Renamed' WHERE tenant_id = tests.id('a');
SELECT is((SELECT title FROM orders.line WHERE id = (SELECT (d -> 'lines' -> 0 ->> 'id')::bigint FROM o1)), 'Product opl-DENY',
          'the line keeps its snapshot');

-- expected totals that differ: both values named, nothing written
CREATE TEMP TABLE before AS SELECT pg_temp.written() AS w;
GRANT SELECT ON before TO PUBLIC;
SELECT tests.as_user('kc|opl-a-admin');
SELECT is(tests.error_of(format($$SELECT api.place_order(%L, '{"total_tax": "0.82", "total_price": "10.82"}')$$,
                                jsonb_build_object('lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1))))),
          'PT422 ORDERS_TOTALS_MISMATCH total_tax: expected 0.82, computed 0.83; total_price: expected 10.82, computed 10.83',
          'expected totals that differ are refused with both values');
SELECT is(pg_temp.written(), (SELECT w FROM before), 'and nothing is written (no order, line, reservation or number)');
SELECT is(split_part(tests.error_of(format($$SELECT api.place_order(%L, '{"total": "1"}')$$,
                                           jsonb_build_object('lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1))))), ' ', 2),
          'ORDERS_INVALID_INPUT', 'an unknown expected field is named, not ignored');
-- stock short: INVENTORY_INSUFFICIENT propagates, nothing written (3 at the warehouse + 2 at the store, 2 reserved)
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1),
              jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 2),
              jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 2))))), ' ', 2),
          'INVENTORY_INSUFFICIENT', 'two lines of one variant are checked together against its stock');
SELECT is(pg_temp.written(), (SELECT w FROM before), 'nothing written');
-- variants: another tenant's, archived
SELECT is(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1),
              jsonb_build_object('variant_id', tests.id('v_b'), 'quantity', 1))))),
          format('PT404 ORDERS_UNKNOWN_VARIANT lines[2]: variant %s', tests.id('v_b')), 'another tenant''s variant is unknown');
SELECT tests.as_owner();
UPDATE catalog.variant SET status = 'ARCHIVED' WHERE id = tests.id('v_slab');
SELECT tests.as_user('kc|opl-a-admin');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_slab'), 'quantity', 1))))), ' ', 2),
          'ORDERS_UNKNOWN_VARIANT', 'an archived variant is not sold');
SELECT is(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 0))))),
          'PT400 ORDERS_INVALID_INPUT lines[1].quantity: a positive whole number', 'a malformed line is named');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object('customer_id', tests.id('b_cust'),
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))))), ' ', 2),
          'ORDERS_UNKNOWN_CUSTOMER', 'another tenant''s customer is unknown');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L, NULL, %s)', jsonb_build_object(
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))), tests.id('b'))), ' ', 2),
          'IDENTITY_TENANT_MISMATCH', 'staff never place in another tenant');

-- a customer-user places for itself only, on the web store, at catalog prices
SELECT tests.as_user('kc|opl-a-buyer');
SELECT is((api.place_order(jsonb_build_object('reserve_minutes', 30, 'lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1)))) ->> 'customer_id')::bigint,
          tests.id('cust'), 'a customer-user''s order is its own');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object('customer_id', tests.id('cust2'),
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))))), ' ', 2),
          'ORDERS_UNKNOWN_CUSTOMER', 'never for another customer');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object(
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1, 'price', '0.01'))))), ' ', 2),
          'IDENTITY_PERMISSION_DENIED', 'never at its own price');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object('source', 'EBAY',
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))))), ' ', 2),
          'IDENTITY_PERMISSION_DENIED', 'never as a channel');
SELECT tests.as_owner();
SELECT ok((SELECT r.expires_at = o.reserve_until AND o.reserve_until = now() + interval '30 minutes'
             FROM orders.sales_order o JOIN orders.line l ON l.order_id = o.id
             JOIN inventory.reservation r ON r.ref_entity = 'line' AND r.ref_id = l.id::text
            WHERE o.customer_id = tests.id('cust')), 'its reservations expire at reserve_until');
SELECT tests.as_user('kc|opl-a-walkin');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object(
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))))), ' ', 2),
          'ORDERS_UNKNOWN_CUSTOMER', 'a user without a customer record is refused (creating it is not placement''s)');
SELECT tests.as_user('kc|opl-b-admin');
SELECT is(split_part(tests.error_of(format('SELECT api.place_order(%L)', jsonb_build_object(
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 1))))), ' ', 2),
          'ORDERS_UNKNOWN_VARIANT', 'B''s staff cannot sell A''s variants');

-- gapless: a placement rolled back returns its number
SELECT tests.as_user('kc|opl-a-admin');
SELECT is(split_part(tests.error_of(format($$SELECT api.place_order(%L, '{"total_price": "0"}')$$, jsonb_build_object(
              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))))), ' ', 2),
          'ORDERS_TOTALS_MISMATCH', 'a placement fails');
SELECT is((api.place_order(jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)))) ->> 'number')::int, 3,
          'the next placement takes the next number: 1, 2, 3, no gap');
SELECT tests.as_owner();
SELECT is((SELECT array_agg(number ORDER BY number) FROM orders.sales_order WHERE tenant_id = tests.id('a')), ARRAY[1, 2, 3]::bigint[],
          'numbers 1..3');
SELECT is((SELECT count(*)::int FROM inventory.check() WHERE NOT ok), 0, 'inventory.check() clean');

SELECT * FROM finish();
ROLLBACK;
