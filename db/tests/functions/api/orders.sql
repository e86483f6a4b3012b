-- Tests for functions/api/orders: the views show each caller what row-level security lets it read (staff with
-- orders.manage their tenant's, a customer-user its own orders, another tenant nothing, anonymous nothing), and the
-- wrappers are granted to mercato_user and mercato_service only.
BEGIN;
SELECT plan(6);

SELECT tests.orders_world('oap');
SELECT tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)), '{"source": "POS"}');
SELECT tests.place('kc|oap-a-buyer', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)));
SELECT tests.as_user('kc|oap-a-admin');
SELECT is(format('(%s,%s)', (SELECT count(*) FROM api.orders), (SELECT count(*) FROM api.order_lines)), '(2,2)',
          'staff read their tenant''s orders and lines');
SELECT tests.as_user('kc|oap-a-buyer');
SELECT is(format('(%s,%s)', (SELECT count(*) FROM api.orders), (SELECT count(*) FROM api.order_lines)), '(1,1)',
          'a customer-user its own');
SELECT tests.as_user('kc|oap-a-clerk');
SELECT is((SELECT count(*)::int FROM api.orders), 0, 'a clerk without orders.manage and no customer record: none');
SELECT tests.as_user('kc|oap-b-admin');
SELECT is(format('(%s,%s,%s,%s)', (SELECT count(*) FROM api.orders), (SELECT count(*) FROM api.order_lines),
                 (SELECT count(*) FROM api.order_payments), (SELECT count(*) FROM api.tax_rates)), '(0,0,0,0)', 'another tenant: nothing');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'api' AND p.proname IN ('place_order', 'import_order', 'record_external_payment', 'fulfil_order',
                                                      'cancel_order', 'get_order', 'list_orders', 'set_tax_rate')
              AND has_function_privilege('mercato_user', p.oid, 'EXECUTE')
              AND has_function_privilege('mercato_service', p.oid, 'EXECUTE')
              AND NOT has_function_privilege('mercato_anon', p.oid, 'EXECUTE') AND p.prosecdef), 8,
          'eight SECURITY DEFINER wrappers for users and the back office, none for anonymous callers');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['api.orders', 'api.order_lines', 'api.order_payments', 'api.tax_rates']) v
            WHERE has_table_privilege('mercato_anon', v, 'SELECT')), 0, 'no view for anonymous callers');

SELECT * FROM finish();
ROLLBACK;
