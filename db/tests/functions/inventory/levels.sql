-- Tests for functions/inventory/levels: a tenant's locations and stock levels, for staff of that tenant only.
BEGIN;
SELECT plan(5);

SELECT tests.inventory_world('lvl');
SELECT tests.as_user('kc|lvl-a-admin');
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 4);
SELECT is((SELECT string_agg(code, ',') FROM api.inventory_location_list()), 'CONS,WH,STORE', 'locations by priority');
SELECT results_eq($$SELECT sku, location_code, on_hand, available FROM api.stock_levels()$$,
                  $$VALUES ('lvl-DENY', 'WH', 4, 4)$$, 'stock levels with SKU and location code');
SELECT tests.as_user('kc|lvl-b-admin');
SELECT is((SELECT count(*)::int FROM api.stock_levels()), 0, 'another tenant''s admin sees its own (none)');
SELECT throws_like(format($$SELECT * FROM api.stock_levels(NULL, NULL, %s)$$, tests.id('a')), 'IDENTITY_TENANT_MISMATCH:%',
                   'and cannot name A');
SELECT tests.as_service();
SELECT is((SELECT count(*)::int FROM api.stock_levels(p_tenant_id => tests.id('a'))), 1, 'the back office names the tenant');

SELECT * FROM finish();
ROLLBACK;
