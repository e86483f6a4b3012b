-- Tests for functions/inventory/guards: the reservation guard (resolves once, terms never change, parts move one way),
-- the movement writer refusing a month without a partition, and the shared lookups.
BEGIN;
SELECT plan(8);

SELECT tests.inventory_world('grd');
SELECT tests.as_service();
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 5, p_tenant_id => tests.id('a'));
CREATE TEMP TABLE r AS
SELECT reservation_id AS id FROM api.reserve_stock(format('[{"variant_id": %s, "quantity": 2}]', tests.id('v_deny'))::jsonb,
                                                   'test', 'guard', '1', NULL, NULL, tests.id('a'));
SELECT tests.as_owner();

SELECT throws_like($$UPDATE inventory.reservation SET quantity = 1 WHERE id = (SELECT id FROM r)$$, 'INVENTORY_IMMUTABLE:%',
                   'a reservation''s terms never change, whoever writes');
SELECT throws_like($$UPDATE inventory.reservation SET ref_id = '2' WHERE id = (SELECT id FROM r)$$, 'INVENTORY_IMMUTABLE:%',
                   'nor its reference');
SELECT throws_like($$UPDATE inventory.reservation SET backordered = 1 WHERE id = (SELECT id FROM r)$$, 'INVENTORY_IMMUTABLE:%',
                   'its backordered part never grows');
SELECT throws_ok($$UPDATE inventory.reservation SET state = 'RELEASED' WHERE id = (SELECT id FROM r)$$, '23514', NULL,
                 'a resolution has its time (CHECK)');
SELECT throws_like($$DELETE FROM inventory.reservation$$, 'INVENTORY_IMMUTABLE:%', 'reservations are never deleted');
SELECT lives_ok($$SELECT inventory.release_for(tests.id('a'), (SELECT id FROM r))$$, 'released once');
SELECT throws_like($$UPDATE inventory.reservation SET state = 'EXPIRED' WHERE id = (SELECT id FROM r)$$,
                   'INVENTORY_RESERVATION_RESOLVED:%', 'then never changes again');

-- a month without a partition is refused loudly, never created inside the request
DO $$ BEGIN EXECUTE format('DROP TABLE inventory.%I', to_char(now() AT TIME ZONE 'UTC', '"movement_y"YYYY"m"MM')); END $$;
SELECT throws_like($$SELECT inventory.receive_in(tests.id('a'), tests.id('v_deny'), tests.id('a_wh'), 1)$$,
                   'INVENTORY_NO_PARTITION:%', 'a movement without this month''s partition is refused with INVENTORY_NO_PARTITION');

SELECT * FROM finish();
ROLLBACK;
