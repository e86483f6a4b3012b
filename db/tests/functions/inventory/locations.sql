-- Tests for functions/inventory/locations: create and update a tenant's locations; codes unique per tenant; who may.
BEGIN;
SELECT plan(11);

SELECT tests.inventory_world('loc');
SELECT tests.as_user('kc|loc-a-admin');
SELECT ok(api.create_inventory_location('POS-1', 'Counter', 'STORE') > 0, 'a tenant admin creates a location in its tenant');
SELECT is((SELECT tenant_id FROM api.inventory_locations WHERE code = 'POS-1'), tests.id('a'), 'of its own tenant');
SELECT throws_like($$SELECT api.create_inventory_location('WH', 'Again')$$, 'INVENTORY_LOCATION_TAKEN:%', 'a code once per tenant');
SELECT throws_like($$SELECT api.create_inventory_location('X1', 'X', 'GARAGE')$$, 'INVENTORY_INVALID_INPUT:%', 'a kind from the list');
SELECT throws_like($$SELECT api.create_inventory_location('bad code', 'X')$$, 'INVENTORY_INVALID_INPUT:%', 'a well-formed code');
SELECT results_eq($$SELECT status, priority FROM api.update_inventory_location(tests.id('a_store'), p_priority => 1, p_status => 'INACTIVE')$$,
                  $$VALUES ('INACTIVE', 1)$$, 'a location is updated');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_store'), 1)$$, 'INVENTORY_LOCATION_INACTIVE:%',
                   'an inactive location receives nothing');
SELECT tests.as_user('kc|loc-b-admin');
SELECT ok(api.create_inventory_location('POS-1', 'B counter') > 0, 'another tenant uses the same code');
SELECT throws_like($$SELECT api.update_inventory_location(tests.id('a_wh'), 'Mine')$$, 'INVENTORY_UNKNOWN_LOCATION:%',
                   'but cannot change A''s locations');
SELECT is((SELECT count(*)::int FROM api.inventory_locations WHERE tenant_id = tests.id('a')), 0, 'nor see them');
SELECT tests.as_user('kc|loc-a-clerk');
SELECT throws_like($$SELECT api.create_inventory_location('C1', 'C')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a user without inventory.manage creates none');

SELECT * FROM finish();
ROLLBACK;
