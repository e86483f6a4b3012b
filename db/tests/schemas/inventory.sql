-- Tests for schemas/inventory: tables, the constraints that hold whoever writes (no negative or oversold stock, a
-- reservation's parts, movement signs), append-only movements, heap-only stock updates, the permission and the errors.
BEGIN;
SELECT plan(21);

SELECT has_table('inventory', t, 'table inventory.' || t)
  FROM unnest(ARRAY['location', 'stock', 'channel_buffer', 'movement', 'reservation']) AS t;
SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'inventory.movement'::regclass), 'p',
          'movements are partitioned (by month)');
SELECT ok((SELECT count(*) FROM pg_inherits WHERE inhparent = 'inventory.movement'::regclass) >= 4,
          'this month''s partition and three ahead exist');
SELECT ok(EXISTS (SELECT 1 FROM identity.permission WHERE code = 'inventory.manage' AND tenant_grantable),
          'inventory.manage is a tenant-grantable permission');
SELECT set_eq($$SELECT r.code FROM identity.role_permission rp JOIN identity.role r ON r.id = rp.role_id
                 JOIN identity.permission p ON p.id = rp.permission_id WHERE p.code = 'inventory.manage'$$,
              ARRAY['TENANT_ADMIN', 'PLATFORM_ADMIN'], 'given to TENANT_ADMIN and PLATFORM_ADMIN');
SELECT ok((SELECT count(*) FROM core.error WHERE module = 'inventory') >= 15, 'the INVENTORY_ error codes are catalogued');

SELECT tests.inventory_world('sch');
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 5, p_tenant_id => tests.id('a')) FROM (SELECT tests.as_service()) s;
SELECT tests.as_owner();
CREATE TEMP TABLE st AS SELECT id FROM inventory.stock WHERE variant_id = tests.id('v_deny');

-- whoever writes (here the superuser): never negative, never more reserved or unavailable than on hand
SELECT throws_ok($$UPDATE inventory.stock SET reserved = 6 WHERE id = (SELECT id FROM st)$$, '23514', NULL,
                 'reserved never exceeds on hand (CHECK stock_available_check)');
SELECT throws_ok($$UPDATE inventory.stock SET unavailable = 3, reserved = 3 WHERE id = (SELECT id FROM st)$$, '23514', NULL,
                 'reserved + unavailable never exceed on hand');
SELECT throws_ok($$UPDATE inventory.stock SET on_hand = -1 WHERE id = (SELECT id FROM st)$$, '23514', NULL,
                 'on hand is never negative');
SELECT throws_ok($$UPDATE inventory.stock SET backordered = -1 WHERE id = (SELECT id FROM st)$$, '23514', NULL,
                 'backordered is never negative');
SELECT throws_ok($$INSERT INTO inventory.movement (tenant_id, stock_id, kind, quantity, on_hand_after)
                   VALUES (tests.id('a'), (SELECT id FROM st), 'SHIP', 2, 0)$$, '23514', NULL,
                 'a shipment takes away: its quantity is negative');
SELECT throws_like($$UPDATE inventory.movement SET quantity = 99$$, 'INVENTORY_IMMUTABLE:%',
                   'movements are never updated, whoever writes');
SELECT throws_like($$DELETE FROM inventory.movement$$, 'INVENTORY_IMMUTABLE:%', 'nor deleted');
SELECT throws_like($$TRUNCATE inventory.movement$$, 'INVENTORY_IMMUTABLE:%', 'nor truncated');
SELECT throws_like($$DELETE FROM inventory.stock$$, 'INVENTORY_IMMUTABLE:%', 'stock rows are never deleted');
SELECT throws_ok($$INSERT INTO inventory.stock (tenant_id, variant_id, location_id)
                   VALUES (tests.id('b'), tests.id('v_deny'), tests.id('b_wh'))$$, '23503', NULL,
                 'a stock row never pairs another tenant''s variant (composite foreign key)');

-- a reservation is a heap-only update of the stock row (no index names a quantity; fillfactor 80)
CREATE TEMP TABLE hot AS SELECT pg_stat_get_xact_tuples_hot_updated('inventory.stock'::regclass) AS h0;
SELECT tests.as_service();
SELECT api.reserve_stock(jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'location_id', tests.id('a_wh'),
                                                              'quantity', 2)), 'test', 'hot', '1', NULL, NULL, tests.id('a'));
SELECT tests.as_owner();
SELECT is(pg_stat_get_xact_tuples_hot_updated('inventory.stock'::regclass) - (SELECT h0 FROM hot), 1::bigint,
          'reserving is a heap-only update of the stock row');

SELECT * FROM finish();
ROLLBACK;
