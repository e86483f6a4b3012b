-- Tests for functions/inventory/reservations: reserve many lines (demand summed per variant and location, placed by
-- priority, channel buffers, CONTINUE backorders, untracked variants), release (one, by reference), ship (partial,
-- whole, backordered), the expiry sweep, each refusal with nothing changed, another tenant, and inventory.check().
BEGIN;
SELECT plan(45);

SELECT tests.inventory_world('res');
CREATE FUNCTION pg_temp.detail(p_sql text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE v text;
BEGIN
    EXECUTE p_sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v = PG_EXCEPTION_DETAIL;
    RETURN split_part(SQLERRM, ':', 1) || ' | ' || v;
END $f$;
GRANT EXECUTE ON FUNCTION pg_temp.detail(text) TO PUBLIC;
-- what the stock of A looks like, as the back office: variant/location -> on_hand/reserved/backordered
CREATE FUNCTION pg_temp.levels() RETURNS text LANGUAGE sql AS $f$
    SELECT string_agg(format('%s@%s=%s/%s/%s', s.variant_id, s.location_id, s.on_hand, s.reserved, s.backordered), ' '
                      ORDER BY s.variant_id, s.location_id)
      FROM inventory.stock s WHERE s.tenant_id = tests.id('a') $f$;
GRANT EXECUTE ON FUNCTION pg_temp.levels() TO PUBLIC;

SELECT tests.as_user('kc|res-a-admin');
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 3);
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_store'), 4);
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_cons'), 50);
SELECT api.receive_stock(tests.id('v_cont'), tests.id('a_wh'), 2);
SELECT api.receive_stock(tests.id('v_slab'), tests.id('a_store'), 1);
SELECT tests.as_owner();
CREATE TEMP TABLE before AS SELECT pg_temp.levels() AS l, (SELECT count(*) FROM inventory.reservation) AS n;
GRANT SELECT ON before TO PUBLIC;

-- demand summed per (variant, location): two lines of 2 each at a location holding 3 are refused together
SELECT tests.as_user('kc|res-a-admin');
SELECT is(pg_temp.detail(format($$SELECT api.reserve_stock('[{"variant_id": %s, "location_id": %s, "quantity": 2},
                                                           {"variant_id": %s, "location_id": %s, "quantity": 2}]',
                                                        'orders', 'order', 'o-1')$$,
                                tests.id('v_deny'), tests.id('a_wh'), tests.id('v_deny'), tests.id('a_wh'))),
          format('INVENTORY_INSUFFICIENT | variant %s at location %s: 4 wanted, 3 available', tests.id('v_deny'), tests.id('a_wh')),
          'two lines drawing on one item are checked together: refused, naming variant, location and what is available');
SELECT tests.as_owner();
SELECT is(pg_temp.levels(), (SELECT l FROM before), 'nothing changed');
SELECT is((SELECT count(*) FROM inventory.reservation), (SELECT n FROM before), 'no reservation written');

-- a good request: one line named, one placed by priority (a_cons does not fulfil online: never drawn on)
SELECT tests.as_user('kc|res-a-admin');
CREATE TEMP TABLE r1 AS
SELECT * FROM api.reserve_stock(format('[{"variant_id": %s, "location_id": %s, "quantity": 2},
                                         {"variant_id": %s, "quantity": 4, "ref_id": "line-2"},
                                         {"variant_id": %s, "quantity": 1}]',
                                       tests.id('v_deny'), tests.id('a_store'), tests.id('v_deny'), tests.id('v_free'))::jsonb,
                                'orders', 'order', 'o-2', now() + interval '15 minutes');
SELECT results_eq($$SELECT line, variant_id, location_id, quantity, backordered, reservation_id IS NULL FROM r1
                     ORDER BY line, location_id$$,
                  format($$VALUES (1, %1$s::bigint, %3$s::bigint, 2, 0, false), (2, %1$s, %2$s, 3, 0, false),
                                  (2, %1$s, %3$s, 1, 0, false), (3, %4$s, NULL, 1, 0, true)$$,
                         tests.id('v_deny'), tests.id('a_wh'), tests.id('a_store'), tests.id('v_free')),
                  'the unplaced line takes the warehouse (priority 10) first, the rest at the store; an untracked variant reserves nothing');
SELECT is((SELECT string_agg(ref_id, ',' ORDER BY id) FROM api.inventory_reservations WHERE ref_entity = 'order'),
          'o-2,line-2,line-2', 'each line carries its own reference id, else the call''s');
SELECT is((SELECT reserved FROM api.inventory_stock WHERE variant_id = tests.id('v_deny') AND location_id = tests.id('a_wh')), 3,
          'reserved grew at the warehouse');
SELECT is((SELECT available FROM api.inventory_summary WHERE variant_id = tests.id('v_deny')), 51::bigint,
          'the summary: 57 on hand, 6 reserved, exact at once');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "quantity": 2}]', 'orders', 'order', 'o-3')$$,
                          tests.id('v_deny')), 'INVENTORY_INSUFFICIENT:%',
                   'one left at the online locations, two wanted (the consignment stock is not online)');
SELECT lives_ok(format($$SELECT api.reserve_stock('[{"variant_id": %s, "location_id": %s, "quantity": 1}]', 'orders', 'order', 'o-3')$$,
                       tests.id('v_deny'), tests.id('a_cons')), 'but a named location is drawn on even when not online');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "location_id": %s, "quantity": 1}]', 'orders', 'order', 'o-4')$$,
                          tests.id('v_slab'), tests.id('a_wh')), 'INVENTORY_INSUFFICIENT:%',
                   'a location without a stock row has nothing available');

-- channel buffers: a channel may take available - buffer
SELECT api.set_channel_buffer(tests.id('v_deny'), tests.id('a_cons'), 'EBAY', 45);
SELECT is(pg_temp.detail(format($$SELECT api.reserve_stock('[{"variant_id": %s, "location_id": %s, "quantity": 5}]',
                                                        'orders', 'order', 'o-5', NULL, 'EBAY')$$, tests.id('v_deny'), tests.id('a_cons'))),
          format('INVENTORY_INSUFFICIENT | variant %s at location %s: 5 wanted, 4 available to EBAY', tests.id('v_deny'), tests.id('a_cons')),
          'eBay may take 49 available less its buffer of 45');
SELECT is((SELECT count(*)::int FROM api.reserve_stock(format('[{"variant_id": %s, "location_id": %s, "quantity": 4}]',
                                                             tests.id('v_deny'), tests.id('a_cons'))::jsonb, 'orders', 'order', 'o-5', NULL, 'EBAY')), 1,
          'and 4 it may');
SELECT lives_ok(format($$SELECT api.reserve_stock('[{"variant_id": %s, "location_id": %s, "quantity": 10}]', 'orders', 'order', 'o-6')$$,
                       tests.id('v_deny'), tests.id('a_cons')), 'another channel is not held by eBay''s buffer');

-- CONTINUE: what is available is reserved, the rest backordered (never negative stock)
CREATE TEMP TABLE r2 AS
SELECT * FROM api.reserve_stock(format('[{"variant_id": %s, "location_id": %s, "quantity": 5}]', tests.id('v_cont'), tests.id('a_wh'))::jsonb,
                                'orders', 'order', 'o-7');
SELECT is((SELECT backordered FROM r2), 3, 'a CONTINUE variant backorders what is missing');
SELECT results_eq($$SELECT on_hand, reserved, backordered, available FROM api.inventory_stock
                     WHERE variant_id = tests.id('v_cont') AND location_id = tests.id('a_wh')$$,
                  $$VALUES (2, 2, 3, 0)$$, 'on the stock row: 2 reserved, 3 backordered, nothing negative');
SELECT throws_like(format($$SELECT api.ship_reservation(%s)$$, (SELECT reservation_id FROM r2)), 'INVENTORY_BACKORDERED:%',
                   'a backordered reservation does not ship before stock covers it');
SELECT results_eq(format($$SELECT consumed, backordered, state FROM api.inventory_reservations WHERE id = %s$$, (SELECT reservation_id FROM r2)),
                  $$VALUES (0, 3, 'ACTIVE')$$, 'and nothing changed');
SELECT api.receive_stock(tests.id('v_cont'), tests.id('a_wh'), 3);
SELECT is((SELECT state FROM api.ship_reservation((SELECT reservation_id FROM r2))), 'CONSUMED', 'once received, it ships whole');
SELECT results_eq($$SELECT on_hand, reserved, backordered FROM api.inventory_stock
                     WHERE variant_id = tests.id('v_cont') AND location_id = tests.id('a_wh')$$,
                  $$VALUES (0, 0, 0)$$, 'on hand and reserved went down together, the backorder is gone');

-- ship: partial, then the rest; a SHIP movement names the reference
CREATE TEMP TABLE shipping AS SELECT reservation_id AS id FROM r1 WHERE line = 1;
SELECT is((SELECT consumed FROM api.ship_reservation((SELECT id FROM shipping), 1)), 1, 'a partial shipment');
SELECT throws_like(format($$SELECT api.ship_reservation(%s, 2)$$, (SELECT id FROM shipping)), 'INVENTORY_INVALID_INPUT:%',
                   'never more than what is left of the reservation');
SELECT is((SELECT state FROM api.ship_reservation((SELECT id FROM shipping))), 'CONSUMED', 'the rest: consumed');
SELECT throws_like(format($$SELECT api.ship_reservation(%s)$$, (SELECT id FROM shipping)), 'INVENTORY_RESERVATION_RESOLVED:%',
                   'a consumed reservation ships no more');
SELECT throws_like(format($$SELECT api.release_reservation(%s)$$, (SELECT id FROM shipping)), 'INVENTORY_RESERVATION_RESOLVED:%',
                   'nor is it released');
SELECT results_eq($$SELECT kind, quantity, ref_module, ref_entity, ref_id FROM api.inventory_movements
                     WHERE kind = 'SHIP' AND variant_id = tests.id('v_deny') ORDER BY id$$,
                  $$VALUES ('SHIP', -1, 'orders', 'order', 'o-2'), ('SHIP', -1, 'orders', 'order', 'o-2')$$,
                  'each shipment is a SHIP movement naming the reference');

-- release: one, then every live one of a reference (idempotent)
SELECT is(api.release_reservation((SELECT reservation_id FROM r1 WHERE line = 2 AND location_id = tests.id('a_store'))), 1,
          'a reservation is released');
SELECT is(api.release_reservations('orders', 'order', 'line-2'), 1, 'the rest of the reference is released');
SELECT is(api.release_reservations('orders', 'order', 'line-2'), 0, 'again: nothing left to release');
SELECT is((SELECT reserved FROM api.inventory_stock WHERE variant_id = tests.id('v_deny') AND location_id = tests.id('a_wh')), 0,
          'the warehouse''s stock is available again');

-- refusals, each with nothing changed
SELECT tests.as_owner();
UPDATE before SET l = pg_temp.levels(), n = (SELECT count(*) FROM inventory.reservation);
SELECT tests.as_user('kc|res-a-admin');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "quantity": 0}]', 'orders', 'order', 'x')$$, tests.id('v_deny')),
                   'INVENTORY_INVALID_INPUT:%', 'a quantity of 0 is refused');
SELECT throws_like($$SELECT api.reserve_stock('[]', 'orders', 'order', 'x')$$, 'INVENTORY_INVALID_INPUT:%', 'no lines is refused');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "quantity": 1}]', 'Orders!', 'order', 'x')$$, tests.id('v_deny')),
                   'INVENTORY_INVALID_INPUT:%', 'a malformed reference is refused');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "quantity": 1}]', 'orders', 'order', 'x', now() - interval '1 minute')$$,
                          tests.id('v_deny')), 'INVENTORY_INVALID_INPUT:%', 'an expiry in the past is refused');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "quantity": 1}]', 'orders', 'order', 'x')$$, tests.id('v_b')),
                   'INVENTORY_UNKNOWN_VARIANT:%', 'another tenant''s variant is unknown here');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "location_id": %s, "quantity": 1}]', 'orders', 'order', 'x')$$,
                          tests.id('v_deny'), tests.id('b_wh')), 'INVENTORY_UNKNOWN_LOCATION:%', 'and so is its location');
SELECT tests.as_user('kc|res-b-admin');
SELECT throws_like(format($$SELECT api.release_reservation(%s)$$, (SELECT reservation_id FROM r1 WHERE line = 1)),
                   'INVENTORY_UNKNOWN_RESERVATION:%', 'another tenant''s admin cannot touch A''s reservations');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "quantity": 1}]', 'orders', 'order', 'x', NULL, NULL, %s)$$,
                          tests.id('v_deny'), tests.id('a')), 'IDENTITY_TENANT_MISMATCH:%', 'nor name A as its tenant');
SELECT tests.as_user('kc|res-a-clerk');
SELECT throws_like(format($$SELECT api.reserve_stock('[{"variant_id": %s, "quantity": 1}]', 'orders', 'order', 'x')$$, tests.id('v_deny')),
                   'IDENTITY_PERMISSION_DENIED:%', 'a user without inventory.manage cannot reserve through the api');
SELECT throws_ok(format($$SELECT inventory.reserve_for(%s, '[]', 'orders', 'order', 'x')$$, tests.id('a')), '42501', NULL,
                 'nor call the internal entry point of other modules');
SELECT tests.as_owner();
SELECT is(pg_temp.levels(), (SELECT l FROM before), 'the refusals changed no stock');
SELECT is((SELECT count(*) FROM inventory.reservation), (SELECT n FROM before), 'and wrote no reservation');

-- expiry: a reservation past its expires_at is swept (its expiry moved into the past, guard off in this transaction)
CREATE TEMP TABLE r3 AS SELECT reservation_id FROM r1 WHERE line = 1;
ALTER TABLE inventory.reservation DISABLE TRIGGER reservation_guard;
UPDATE inventory.reservation SET expires_at = now() - interval '1 minute'
 WHERE ref_id = 'o-3' OR ref_id = 'o-6';
ALTER TABLE inventory.reservation ENABLE TRIGGER reservation_guard;
SELECT is(inventory.expire_reservations(), 2, 'the sweep expires what is past its expiry');
SELECT is((SELECT string_agg(state, ',') FROM inventory.reservation WHERE ref_id IN ('o-3', 'o-6')), 'EXPIRED,EXPIRED',
          'as EXPIRED');
SELECT throws_like(format($$UPDATE inventory.reservation SET state = 'ACTIVE', resolved_at = NULL WHERE ref_id = 'o-3'$$),
                   'INVENTORY_RESERVATION_RESOLVED:%', 'a resolved reservation never changes, whoever writes');
SELECT is((SELECT count(*)::int FROM inventory.check() WHERE NOT ok), 0, 'inventory.check() is clean after all of it');

SELECT * FROM finish();
ROLLBACK;
