-- Tests for schemas/inventory/rls: tenant isolation on every inventory table and api view — a tenant's users see their
-- tenant's rows only, a platform user (no tenant) and anonymous callers none, the back office all; no API role writes.
BEGIN;
SELECT plan(43);

SELECT tests.inventory_world('rls');
SELECT tests.as_service();
SELECT api.receive_stock(tests.id('v_deny'), tests.id('a_wh'), 5, p_tenant_id => tests.id('a'));
SELECT api.receive_stock(tests.id('v_b'), tests.id('b_wh'), 5, p_tenant_id => tests.id('b'));
SELECT api.set_channel_buffer(tests.id('v_deny'), tests.id('a_wh'), 'EBAY', 1, tests.id('a'));
SELECT api.set_channel_buffer(tests.id('v_b'), tests.id('b_wh'), 'EBAY', 1, tests.id('b'));
SELECT api.reserve_stock(format('[{"variant_id": %s, "quantity": 1}]', tests.id('v_deny'))::jsonb, 'test', 'rls', '1', NULL, NULL, tests.id('a'));
SELECT api.reserve_stock(format('[{"variant_id": %s, "quantity": 1}]', tests.id('v_b'))::jsonb, 'test', 'rls', '1', NULL, NULL, tests.id('b'));
SELECT tests.as_owner();

-- per relation: the tenants of the rows each caller sees
CREATE FUNCTION pg_temp.tenants(p_rel text) RETURNS bigint[] LANGUAGE plpgsql AS $f$
DECLARE v bigint[];
BEGIN
    EXECUTE format('SELECT coalesce(array_agg(DISTINCT tenant_id ORDER BY tenant_id), ''{}'') FROM %s', p_rel) INTO v;
    RETURN v;
END $f$;
GRANT EXECUTE ON FUNCTION pg_temp.tenants(text) TO PUBLIC;
CREATE TEMP TABLE rel (name text);
INSERT INTO rel VALUES ('inventory.location'), ('inventory.stock'), ('inventory.channel_buffer'), ('inventory.movement'),
    ('inventory.reservation'), ('api.inventory_locations'), ('api.inventory_stock'), ('api.inventory_summary'),
    ('api.inventory_channel_buffers'), ('api.inventory_movements'), ('api.inventory_reservations');
GRANT SELECT ON rel TO PUBLIC;

SELECT tests.as_user('kc|rls-a-clerk');   -- any user of A, with or without permissions
SELECT is(pg_temp.tenants(name), ARRAY[tests.id('a')], name || ': a user of A sees A''s rows only') FROM rel ORDER BY name;
SELECT tests.as_user('kc|rls-b-admin');
SELECT is(pg_temp.tenants(name), ARRAY[tests.id('b')], name || ': B''s admin sees B''s rows only') FROM rel ORDER BY name;
SELECT tests.as_user('kc|rls-padmin');
SELECT is(pg_temp.tenants(name), '{}'::bigint[], name || ': a platform user (no tenant) sees none') FROM rel ORDER BY name;
SELECT tests.as_service();
SELECT ok(pg_temp.tenants(name) @> ARRAY[tests.id('a'), tests.id('b')], name || ': the back office sees both')
  FROM rel WHERE name LIKE 'inventory.%' ORDER BY name;
SELECT tests.as_owner();
SELECT ok(NOT has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'), format('%s writes nothing in %s', r, t))
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) r,
       unnest(ARRAY['inventory.stock', 'inventory.reservation']) t;
SELECT tests.as_anon();
SELECT throws_ok($$SELECT * FROM api.inventory_stock$$, '42501', NULL, 'anonymous callers read no stock');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
