-- Tests for functions/orders/reads: an order with its lines and payments; pages of a tenant's orders (keyset on the
-- number) with filters; a customer-user its own; another tenant nothing.
BEGIN;
SELECT plan(14);

SELECT tests.orders_world('ord');
SELECT tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)), '{"source": "POS"}')
  FROM generate_series(1, 5);
SELECT tests.put('mine', tests.place('kc|ord-a-buyer', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))));
SELECT tests.as_user('kc|ord-a-admin');
SELECT is((SELECT array_agg(number) FROM api.list_orders(p_limit => 4)), ARRAY[6, 5, 4, 3]::bigint[], 'newest first, a page');
SELECT is((SELECT array_agg(number) FROM api.list_orders(p_before_number => 3, p_limit => 4)), ARRAY[2, 1]::bigint[],
          'the next page after the last number seen');
SELECT is((SELECT count(*)::int FROM api.list_orders(p_source => 'pos')), 5, 'filtered by source');
SELECT is((SELECT array_agg(number) FROM api.list_orders(p_customer_id => tests.id('cust'))), ARRAY[6]::bigint[],
          'filtered by customer');
SELECT is((SELECT count(*)::int FROM api.list_orders(p_status => 'CANCELLED')), 0, 'filtered by status');
SELECT is((SELECT jsonb_array_length(api.get_order(tests.id('mine')) -> 'lines')), 1, 'an order with its lines');
SELECT is(split_part(tests.error_of('SELECT api.list_orders(p_limit => 0)'), ' ', 2), 'ORDERS_INVALID_INPUT', 'a page of 1 to 500');
SELECT tests.as_user('kc|ord-a-buyer');
SELECT is((SELECT array_agg(number) FROM api.list_orders()), ARRAY[6]::bigint[], 'a customer-user lists its own orders only');
SELECT is((api.get_order(tests.id('mine')) ->> 'number'), '6', 'and reads them');
SELECT is(split_part(tests.error_of(format('SELECT api.get_order(%s)', tests.id('mine') - 1)), ' ', 2), 'ORDERS_UNKNOWN_ORDER',
          'not the shop''s other orders');
SELECT tests.as_user('kc|ord-a-walkin');
SELECT is((SELECT count(*)::int FROM api.list_orders()), 0, 'a user without a customer record lists nothing');
SELECT tests.as_user('kc|ord-b-admin');
SELECT is((SELECT count(*)::int FROM api.list_orders()), 0, 'another tenant''s staff list none of them');
SELECT is(split_part(tests.error_of(format('SELECT api.get_order(%s)', tests.id('mine'))), ' ', 2), 'ORDERS_UNKNOWN_ORDER',
          'nor read one');
SELECT tests.as_service();
SELECT is((SELECT count(*)::int FROM api.list_orders(p_tenant_id => tests.id('a'))), 6, 'the back office names the tenant');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
