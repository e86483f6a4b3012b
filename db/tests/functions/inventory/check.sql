-- Tests for functions/inventory/check: clean on a consistent inventory; each check names what breaks it.
BEGIN;
SELECT plan(7);

SELECT tests.inventory_world('chk');
SELECT tests.as_service();
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 5, p_tenant_id => tests.id('a'));
SELECT api.receive_stock(tests.id('v_slab'), tests.id('a_wh'), 1, p_tenant_id => tests.id('a'));
SELECT api.reserve_stock(format('[{"variant_id": %s, "quantity": 2}]', tests.id('v_deny'))::jsonb, 'test', 'chk', '1',
                         NULL, NULL, tests.id('a'));
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM inventory.check() WHERE NOT ok), 0, 'a consistent inventory passes every check');

-- break each invariant behind the functions' back (rolled back)
UPDATE inventory.stock SET on_hand = on_hand + 1 WHERE variant_id = tests.id('v_deny');
SELECT is((SELECT violations FROM inventory.check() WHERE check_name = 'on_hand_equals_movements'), 1::bigint,
          'on hand differing from its movements is reported');
UPDATE inventory.stock SET reserved = reserved + 1 WHERE variant_id = tests.id('v_deny');
SELECT is((SELECT violations FROM inventory.check() WHERE check_name = 'reserved_equals_active_reservations'), 1::bigint,
          'reserved differing from the ACTIVE reservations is reported');
UPDATE inventory.stock SET backordered = 1 WHERE variant_id = tests.id('v_deny');
SELECT is((SELECT violations FROM inventory.check() WHERE check_name = 'backordered_equals_active_reservations'), 1::bigint,
          'a backorder without its reservation is reported');
UPDATE catalog.variant SET max_quantity = 1 WHERE id = tests.id('v_deny');
SELECT is((SELECT violations FROM inventory.check() WHERE check_name = 'max_quantity_respected'), 1::bigint,
          'a variant holding more than its max_quantity is reported');
SELECT is((SELECT sample -> 0 ->> 'variant_id' FROM inventory.check() WHERE check_name = 'max_quantity_respected'),
          tests.id('v_deny')::text, 'naming the variant');
SELECT is((SELECT count(*)::int FROM inventory.check()), 7, 'seven checks');

SELECT * FROM finish();
ROLLBACK;
