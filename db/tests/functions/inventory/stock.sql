-- Tests for functions/inventory/stock: receive (moving average cost), adjust, count (compare-and-set), transfer,
-- unavailable stock, settings; max_quantity never exceeded across locations; movements summing to on hand; each
-- refusal with nothing changed; another tenant and a user without the permission.
BEGIN;
SELECT plan(36);

SELECT tests.inventory_world('stk');
CREATE FUNCTION pg_temp.levels() RETURNS text LANGUAGE sql AS $f$
    SELECT string_agg(format('%s@%s=%s/%s/%s', s.variant_id, s.location_id, s.on_hand, s.reserved, s.unavailable), ' '
                      ORDER BY s.variant_id, s.location_id)
      FROM inventory.stock s WHERE s.tenant_id = tests.id('a') $f$;
GRANT EXECUTE ON FUNCTION pg_temp.levels() TO PUBLIC;
CREATE FUNCTION pg_temp.moved() RETURNS bigint LANGUAGE sql AS $f$ SELECT count(*) FROM inventory.movement $f$;
GRANT EXECUTE ON FUNCTION pg_temp.moved() TO PUBLIC;

SELECT tests.as_user('kc|stk-a-admin');
-- receive with costs: the moving average
SELECT is((api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 10, 2.00)).on_hand, 10, 'received 10 at 2.00');
SELECT results_eq($$SELECT on_hand, avg_cost, last_cost FROM api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 30, 4.00)$$,
                  $$VALUES (40, 3.500000, 4.00)$$, 'then 30 at 4.00: average 3.50 over 40, last cost 4.00');
SELECT is((api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 2, NULL, 'RETURN', 'orders', 'order', 'o-9')).on_hand, 42,
          'a return adds too');
SELECT results_eq($$SELECT kind, quantity, on_hand_after, ref_id FROM api.inventory_movements
                     WHERE variant_id = tests.id('v_deny') ORDER BY id$$,
                  $$VALUES ('RECEIPT', 10, 10, NULL::text), ('RECEIPT', 30, 40, NULL), ('RETURN', 2, 42, 'o-9')$$,
                  'each is a movement with the on hand after it');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 1, 0.123456789)$$,
                   'INVENTORY_INVALID_INPUT:%', 'a unit cost finer than the tenant currency''s minor units is refused');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 0)$$, 'INVENTORY_INVALID_INPUT:%',
                   'a quantity of 0 is refused');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_free'), tests.id('a_wh'), 1)$$, 'INVENTORY_NOT_TRACKED:%',
                   'an untracked variant holds no stock');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_b'), tests.id('a_wh'), 1)$$, 'INVENTORY_UNKNOWN_VARIANT:%',
                   'another tenant''s variant is unknown here');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_deny'), tests.id('b_wh'), 1)$$, 'INVENTORY_UNKNOWN_LOCATION:%',
                   'and so is another tenant''s location');

-- max_quantity: a one-of-a-kind slab, never two across locations
SELECT is((api.receive_stock(tests.id('v_slab'), tests.id('a_wh'), 1)).on_hand, 1, 'the graded slab is received once');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_slab'), tests.id('a_store'), 1)$$, 'INVENTORY_MAX_QUANTITY:%',
                   'a second copy at another location is refused');
SELECT throws_like($$SELECT api.adjust_stock(tests.id('v_slab'), tests.id('a_wh'), 1, 'found another')$$, 'INVENTORY_MAX_QUANTITY:%',
                   'so is an adjustment up');
SELECT throws_like($$SELECT api.count_stock(tests.id('v_slab'), tests.id('a_store'), 0, 1)$$, 'INVENTORY_MAX_QUANTITY:%',
                   'and a count finding one more');
SELECT is((SELECT count(*)::int FROM api.transfer_stock(tests.id('v_slab'), tests.id('a_wh'), tests.id('a_store'), 1)), 2,
          'a transfer moves it (the total stays 1)');
SELECT is((SELECT on_hand FROM api.inventory_summary WHERE variant_id = tests.id('v_slab')), 1::bigint, 'still one in all');

-- adjust
SELECT tests.as_owner();
CREATE TEMP TABLE before AS SELECT pg_temp.levels() AS l, pg_temp.moved() AS m;
GRANT SELECT ON before TO PUBLIC;
SELECT tests.as_user('kc|stk-a-admin');
SELECT throws_like($$SELECT api.adjust_stock(tests.id('v_deny'), tests.id('a_wh'), -43, 'shrinkage')$$, 'INVENTORY_INSUFFICIENT:%',
                   'an adjustment never takes more than is available');
SELECT throws_like($$SELECT api.adjust_stock(tests.id('v_deny'), tests.id('a_wh'), -1, '')$$, 'INVENTORY_INVALID_INPUT:%',
                   'an adjustment says why');
SELECT throws_like($$SELECT api.adjust_stock(tests.id('v_deny'), tests.id('a_wh'), 0, 'nothing')$$, 'INVENTORY_INVALID_INPUT:%',
                   'and changes something');
SELECT is(pg_temp.levels(), (SELECT l FROM before), 'the refused adjustments changed nothing');
SELECT is((api.adjust_stock(tests.id('v_deny'), tests.id('a_wh'), -2, 'water damage')).on_hand, 40, 'a decrease with its reason');

-- unavailable: on hand, not available
SELECT results_eq($$SELECT on_hand, unavailable, available FROM api.set_unavailable_stock(tests.id('v_deny'), tests.id('a_wh'), 5)$$,
                  $$VALUES (40, 5, 35)$$, 'damaged stock stays on hand but is not available');
SELECT throws_like($$SELECT api.set_unavailable_stock(tests.id('v_deny'), tests.id('a_wh'), 41)$$, 'INVENTORY_INSUFFICIENT:%',
                   'never more unavailable than on hand');
SELECT throws_like($$SELECT api.adjust_stock(tests.id('v_deny'), tests.id('a_wh'), -36, 'sold off')$$, 'INVENTORY_INSUFFICIENT:%',
                   'unavailable stock cannot be adjusted away as if it were available');

-- count: compare-and-set
SELECT throws_like($$SELECT api.count_stock(tests.id('v_deny'), tests.id('a_wh'), 39, 38)$$, 'INVENTORY_COUNT_STALE:%',
                   'a count based on a quantity no longer current fails clearly');
SELECT throws_like($$SELECT api.count_stock(tests.id('v_deny'), tests.id('a_wh'), 40, 4)$$, 'INVENTORY_INSUFFICIENT:%',
                   'a count below what is unavailable (or reserved) is refused');
SELECT results_eq($$SELECT on_hand, last_counted_at IS NOT NULL FROM api.count_stock(tests.id('v_deny'), tests.id('a_wh'), 40, 37)$$,
                  $$VALUES (37, true)$$, 'a current count sets on hand');
SELECT is((SELECT quantity FROM api.inventory_movements WHERE kind = 'COUNT' AND variant_id = tests.id('v_deny')), -3,
          'its difference is a COUNT movement');

-- transfer
SELECT throws_like($$SELECT api.transfer_stock(tests.id('v_deny'), tests.id('a_wh'), tests.id('a_store'), 33)$$,
                   'INVENTORY_INSUFFICIENT:%', 'a transfer takes only available stock');
SELECT throws_like($$SELECT api.transfer_stock(tests.id('v_deny'), tests.id('a_wh'), tests.id('a_wh'), 1)$$,
                   'INVENTORY_INVALID_INPUT:%', 'to another location');
SELECT results_eq($$SELECT location_id, on_hand FROM api.transfer_stock(tests.id('v_deny'), tests.id('a_wh'), tests.id('a_store'), 7)$$,
                  $$VALUES (tests.id('a_wh'), 30), (tests.id('a_store'), 7)$$, 'a transfer moves stock between locations');

-- settings and buffers
SELECT results_eq($$SELECT safety_stock, reorder_point, reorder_quantity FROM api.set_stock_settings(tests.id('v_deny'), tests.id('a_wh'), 2, 10, 50)$$,
                  $$VALUES (2, 10, 50)$$, 'planning settings are set');

-- who may: a user without inventory.manage, another tenant's admin
SELECT tests.as_owner();
UPDATE before SET l = pg_temp.levels(), m = pg_temp.moved();
SELECT tests.as_user('kc|stk-a-clerk');
SELECT throws_like($$SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 1)$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a user without inventory.manage receives nothing');
SELECT tests.as_user('kc|stk-b-admin');
SELECT throws_like($$SELECT api.adjust_stock(tests.id('v_deny'), tests.id('a_wh'), -1, 'theft')$$, 'INVENTORY_UNKNOWN_VARIANT:%',
                   'another tenant''s admin cannot touch A''s stock');
SELECT tests.as_owner();
SELECT is(pg_temp.levels() || pg_temp.moved(), (SELECT l || m FROM before), 'nothing changed, no movement written');

-- movements sum to on hand, for every stock row
SELECT is((SELECT count(*)::int FROM inventory.stock s
            WHERE s.on_hand <> (SELECT coalesce(sum(m.quantity), 0) FROM inventory.movement m WHERE m.stock_id = s.id)), 0,
          'the movements of every stock row sum to its on hand');
SELECT is((SELECT count(*)::int FROM inventory.check() WHERE NOT ok), 0, 'inventory.check() is clean');

SELECT * FROM finish();
ROLLBACK;
