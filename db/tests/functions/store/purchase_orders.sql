-- Tests for functions/store/purchase_orders: a draft with lines (costs from the distributor item unless given),
-- gapless numbers per tenant, the database's subtotal and total and the caller's expected total (a mismatch writes
-- nothing, not even a number), refusals naming the line, adding lines only to a draft, charges, submitting (lines, an
-- active distributor, the minimum order), confirming and cancelling.
BEGIN;
SELECT plan(20);

SELECT tests.purchasing_world('puo');
SELECT tests.as_user('kc|puo-a-admin');
SELECT tests.put('po', (SELECT id FROM api.create_purchase_order(tests.id('acme'), tests.id('a_wh'),
    format('[{"variant_id": %s, "quantity": 10}, {"variant_id": %s, "quantity": 4, "unit_cost": "1.30"}]', tests.id('v_deny'), tests.id('v_cont'))::jsonb,
    current_date + 7, 1.20, 5, 36.40)));
SELECT results_eq(format('SELECT po_number, status, subtotal, tax_amount, shipping_amount, total_amount, currency::text FROM api.store_purchase_orders WHERE id = %s', tests.id('po')),
                  $$VALUES ('PO-000001'::text, 'DRAFT'::text, 30.20::numeric, 1.20::numeric, 5::numeric, 36.40::numeric, 'USD'::text)$$,
                  'a DRAFT numbered PO-000001: subtotal 10 × 2.50 + 4 × 1.30 by the database, total with tax and shipping, in USD');
SELECT results_eq(format('SELECT variant_id, unit_cost, distributor_sku, line_total FROM api.store_purchase_order_lines WHERE purchase_order_id = %s ORDER BY variant_id', tests.id('po')),
                  format($$VALUES (%s::bigint, 2.50::numeric, 'AC-DENY'::text, 25.00::numeric), (%s, 1.30, 'AC-CONT', 5.20)$$, tests.id('v_deny'), tests.id('v_cont')),
                  'the distributor item''s cost and SKU unless the line names a cost');
SELECT is(tests.error_of(format($$SELECT id FROM api.create_purchase_order(%s, %s, '[{"variant_id": %s, "quantity": 1}]', p_expected_total => 2.49)$$,
                                tests.id('acme'), tests.id('a_wh'), tests.id('v_deny'))),
          'PT400 STORE_PO_TOTAL_MISMATCH purchase order PO-000002: expected total 2.49, but subtotal 2.50 + tax 0 + shipping 0 = 2.50',
          'an expected total that does not add up is refused');
SELECT is((SELECT count(*) FROM api.store_purchase_orders), 1::bigint, 'and nothing is written');
SELECT tests.put('po2', (SELECT id FROM api.create_purchase_order(tests.id('acme'), tests.id('a_wh'),
    format('[{"variant_id": %s, "quantity": 1}]', tests.id('v_slab'))::jsonb, p_expected_total => 100)));
SELECT is((SELECT po_number FROM api.store_purchase_orders WHERE id = tests.id('po2')), 'PO-000002', 'numbers stay gapless after a refusal');
SELECT is(tests.error_of(format($$SELECT id FROM api.create_purchase_order(%s, %s, '[{"variant_id": %s, "quantity": 1}, {"variant_id": %s, "quantity": 0}]')$$,
                                tests.id('acme'), tests.id('a_wh'), tests.id('v_deny'), tests.id('v_cont'))),
          'PT400 STORE_INVALID_PURCHASE lines[1].quantity: a whole number from 1 to 1000000', 'a refusal names the line');
SELECT is(tests.error_of(format($$SELECT id FROM api.create_purchase_order(%s, %s, '[{"variant_id": %s, "quantity": 1}, {"variant_id": %s, "quantity": 2}]')$$,
                                tests.id('acme'), tests.id('a_wh'), tests.id('v_deny'), tests.id('v_deny'))),
          format('PT400 STORE_INVALID_PURCHASE lines[1].variant_id: variant %s is already on purchase order PO-000003 (once per order)', tests.id('v_deny')),
          'a variant once per order');
SELECT is(tests.error_of(format($$SELECT id FROM api.create_purchase_order(%s, %s, '[{"variant_id": %s, "quantity": 1}]')$$,
                                tests.id('acme'), tests.id('a_wh'), tests.id('v_free'))),
          format('PT400 STORE_INVALID_PURCHASE lines[0].unit_cost: required (the distributor has no cost for variant %s)', tests.id('v_free')),
          'a cost is needed when the distributor has none');
SELECT is(tests.error_of(format($$SELECT id FROM api.create_purchase_order(%s, %s, '[{"variant_id": %s, "quantity": 1, "unit_cost": 1}]')$$,
                                tests.id('acme'), tests.id('a_wh'), tests.id('v_b'))),
          format('PT404 STORE_UNKNOWN_VARIANT lines[0].variant_id: variant %s in tenant %s', tests.id('v_b'), tests.id('a')),
          'never another tenant''s variant');
SELECT is(tests.error_of(format($$SELECT id FROM api.create_purchase_order(%s, %s, '[{"variant_id": %s, "quantity": 1}]')$$,
                                tests.id('acme'), tests.id('b_wh'), tests.id('v_deny'))),
          format('PT404 INVENTORY_UNKNOWN_LOCATION ship_to_location_id: location %s in tenant %s', tests.id('b_wh'), tests.id('a')),
          'nor another tenant''s location');

-- lines and charges
SELECT is((SELECT subtotal FROM api.add_purchase_order_lines(tests.id('po2'), format('[{"variant_id": %s, "quantity": 2}]', tests.id('v_cont'))::jsonb, 102.50)),
          102.50::numeric, 'add lines to a draft (with the expected total)');
SELECT is((SELECT total_amount FROM api.set_purchase_order_charges(tests.id('po2'), 0, 7.50, 110.00)), 110.00::numeric,
          'set tax and shipping');

-- submitting
SELECT tests.put('big', (SELECT id FROM api.create_purchase_order(tests.id('bigmin'), tests.id('a_wh'),
    format('[{"variant_id": %s, "quantity": 10}]', tests.id('v_cont'))::jsonb)));
SELECT is(tests.error_of(format('SELECT id FROM api.submit_purchase_order(%s)', tests.id('big'))),
          'PT409 STORE_PO_BELOW_MINIMUM purchase order PO-000003: subtotal 11.00, distributor BIGMIN''s minimum order 1000',
          'below the distributor''s minimum order: not submitted');
SELECT is((SELECT status FROM api.submit_purchase_order(tests.id('po'), 36.40)), 'SUBMITTED', 'submit');
SELECT is(tests.error_of(format($$SELECT id FROM api.add_purchase_order_lines(%s, '[{"variant_id": %s, "quantity": 1}]')$$, tests.id('po'), tests.id('v_slab'))),
          'PT409 STORE_PO_NOT_DRAFT purchase order PO-000001 is SUBMITTED: lines are added only to a DRAFT', 'no lines once submitted');
SELECT is(api.update_store_distributor(tests.id('acme'), p_is_active => false), tests.id('acme'), 'deactivate acme');
SELECT is(tests.error_of(format('SELECT id FROM api.submit_purchase_order(%s)', tests.id('po2'))),
          format('PT409 STORE_DISTRIBUTOR_INACTIVE distributor ACME (%s)', tests.id('acme')), 'an inactive distributor takes no order');
SELECT results_eq(format($$SELECT status, external_po_number FROM api.confirm_purchase_order(%s, 'ACME-7781', current_date + 3)$$, tests.id('po')),
                  $$VALUES ('CONFIRMED'::text, 'ACME-7781'::text)$$, 'confirm with the distributor''s number');
SELECT results_eq(format($$SELECT status, cancel_reason FROM api.cancel_purchase_order(%s, 'not needed')$$, tests.id('po2')),
                  $$VALUES ('CANCELLED'::text, 'not needed'::text)$$, 'cancel a draft');
SELECT is(tests.error_of(format('SELECT id FROM api.confirm_purchase_order(%s)', tests.id('po2'))),
          'PT409 STORE_PO_TRANSITION purchase order PO-000002 is CANCELLED: it no longer changes', 'a cancelled order stays cancelled');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
