-- Tests for functions/store/reorder: suggestions count available stock plus what open purchase orders still bring
-- against the reorder point, order the reorder quantity (or the shortfall) from the preferred active distributor; the
-- drafts made are one per distributor and location, and a second call makes none.
BEGIN;
SELECT plan(10);

SELECT tests.purchasing_world('pro');
SELECT tests.as_service();
SELECT (api.receive_stock(tests.id(v), tests.id('a_wh'), 3, p_tenant_id => tests.id('a'))).id FROM unnest(ARRAY['v_deny', 'v_cont']) v;
SELECT (api.receive_stock(tests.id('v_slab'), tests.id('a_wh'), 1, p_tenant_id => tests.id('a'))).id;
SELECT (api.set_stock_settings(tests.id('v_deny'), tests.id('a_wh'), p_reorder_point => 10, p_reorder_quantity => 12, p_tenant_id => tests.id('a'))).id;
SELECT (api.set_stock_settings(tests.id('v_cont'), tests.id('a_wh'), p_reorder_point => 10, p_reorder_quantity => 2, p_tenant_id => tests.id('a'))).id;
SELECT (api.set_stock_settings(tests.id('v_slab'), tests.id('a_wh'), p_reorder_point => 1, p_tenant_id => tests.id('a'))).id;
SELECT tests.as_owner();
-- 4 of v_cont already on an open order at the warehouse
SELECT tests.put('open', tests.purchase_order('a', 'bigmin', 'a_wh', format('[{"variant_id": %s, "quantity": 4}]', tests.id('v_cont'))::jsonb, false));

SELECT tests.as_user('kc|pro-a-admin');
SELECT results_eq('SELECT variant_id, available, on_order, suggested_quantity, distributor_code FROM api.reorder_suggestions() ORDER BY variant_id',
                  format($$VALUES (%s::bigint, 3, 0, 12, 'ACME'::text), (%s, 3, 4, 3, 'BIGMIN')$$, tests.id('v_deny'), tests.id('v_cont')),
                  'under the point counting what is on order: the reorder quantity, or the shortfall when larger (10 - 3 - 4 = 3 > 2)');
SELECT is((SELECT count(*) FROM api.reorder_suggestions() WHERE variant_id = tests.id('v_slab')), 0::bigint,
          'a variant at or above its point is not suggested');
SELECT results_eq('SELECT variant_id, suggested_quantity FROM api.store_reorder_suggestions ORDER BY variant_id',
                  'SELECT variant_id, suggested_quantity FROM api.reorder_suggestions() ORDER BY variant_id',
                  'the api view shows the same to the tenant''s users');
SELECT tests.put('made', (SELECT count(*) FROM api.create_reorder_purchase_orders()));
SELECT is(tests.id('made'), 2::bigint, 'one draft per distributor');
SELECT results_eq($$SELECT d.code, o.status, l.variant_id, l.quantity_ordered, l.unit_cost, o.expected_date - o.order_date
                     FROM api.store_purchase_orders o JOIN api.store_distributors d ON d.id = o.distributor_id
                     JOIN api.store_purchase_order_lines l ON l.purchase_order_id = o.id
                    WHERE o.notes = 'from reorder suggestions' ORDER BY d.code$$,
                  format($$VALUES ('ACME'::text, 'DRAFT'::text, %s::bigint, 12, 2.50::numeric, 5), ('BIGMIN', 'DRAFT', %s, 3, 1.10, NULL)$$,
                         tests.id('v_deny'), tests.id('v_cont')),
                  'at the preferred distributor''s cost, expected after its lead time');
SELECT is((SELECT count(*) FROM api.reorder_suggestions()), 0::bigint, 'nothing left to suggest');
SELECT is((SELECT count(*) FROM api.create_reorder_purchase_orders()), 0::bigint, 'a second call orders nothing twice');
SELECT tests.as_owner();
-- without an active preferred distributor a variant is suggested but not ordered
SELECT tests.as_service();
SELECT (api.set_stock_settings(tests.id('v_slab'), tests.id('a_wh'), p_reorder_point => 5, p_tenant_id => tests.id('a'))).id;
SELECT api.update_store_distributor(tests.id('acme'), p_is_active => false, p_tenant_id => tests.id('a'));
SELECT tests.as_user('kc|pro-a-admin');
SELECT results_eq(format('SELECT suggested_quantity, distributor_id FROM api.reorder_suggestions() WHERE variant_id = %s', tests.id('v_slab')),
                  $$VALUES (4, NULL::bigint)$$, 'an inactive preferred distributor: suggested without one');
SELECT is((SELECT count(*) FROM api.create_reorder_purchase_orders()), 0::bigint, 'and not ordered');
SELECT tests.as_user('kc|pro-a-clerk');
SELECT is(tests.error_of('SELECT * FROM api.reorder_suggestions()') LIKE 'PT403 IDENTITY_PERMISSION_DENIED %', true, 'store.manage needed');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
