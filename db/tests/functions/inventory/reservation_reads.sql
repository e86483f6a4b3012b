-- Tests for functions/inventory/reservation_reads: the live reservations of references, by location, per tenant.
BEGIN;
SELECT plan(5);

SELECT tests.inventory_world('rrd');
SELECT inventory.receive_in(tests.id('a'), tests.id('v_deny'), tests.id('a_wh'), 5);
SELECT inventory.receive_in(tests.id('a'), tests.id('v_deny'), tests.id('a_store'), 5);
SELECT tests.put('r1', reservation_id) FROM inventory.reserve_for(tests.id('a'),
    jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 3, 'location_id', tests.id('a_wh'))),
    'orders', 'line', '1');
SELECT tests.put('r2', reservation_id) FROM inventory.reserve_for(tests.id('a'),
    jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 2, 'location_id', tests.id('a_store'))),
    'orders', 'line', '2');
SELECT inventory.ship_for(tests.id('a'), tests.id('r1'), 1);

SELECT results_eq($$SELECT reservation_id, ref_id, location_id, live FROM inventory.live_reservations_for(tests.id('a'),
                       'orders', 'line', ARRAY['1', '2'])$$,
                  $$VALUES (tests.id('r1'), '1', tests.id('a_wh'), 2), (tests.id('r2'), '2', tests.id('a_store'), 2)$$,
                  'each live reservation with what is left of it');
SELECT results_eq($$SELECT reservation_id FROM inventory.live_reservations_for(tests.id('a'), 'orders', 'line',
                       ARRAY['1', '2'], tests.id('a_store'))$$, $$VALUES (tests.id('r2'))$$, 'at one location');
SELECT inventory.release_for(tests.id('a'), tests.id('r2'));
SELECT results_eq($$SELECT reservation_id FROM inventory.live_reservations_for(tests.id('a'), 'orders', 'line',
                       ARRAY['1', '2'])$$, $$VALUES (tests.id('r1'))$$, 'a released reservation is not live');
SELECT is_empty($$SELECT 1 FROM inventory.live_reservations_for(tests.id('b'), 'orders', 'line', ARRAY['1', '2'])$$,
                'another tenant''s references are its own');
SELECT ok(NOT has_function_privilege('mercato_user', 'inventory.live_reservations_for(bigint, text, text, text[], bigint)',
                                     'EXECUTE'), 'internal');

SELECT * FROM finish();
ROLLBACK;
