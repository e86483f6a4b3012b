-- Tests for schemas/catalog/rls: as users of two tenants (through the API role a PostgREST request or a psql session
-- with an API role has), each reads its own tenant's products, channel ids and variants only, both ways; the back office
-- reads all; anonymous callers and a platform user read none; no API role writes.
BEGIN;
SELECT plan(22);

SELECT tests.put('a', tests.shop('cr-a')), tests.put('b', tests.shop('cr-b'));
SELECT tests.as_user('cr-a-admin');
SELECT tests.put('pa', api.create_product('{"title": "A product"}'));
SELECT api.add_variant(tests.id('pa'), '{"sku": "SAME", "price": 1}'), api.link_product_channel(tests.id('pa'), 'EBAY', '1');
SELECT tests.as_user('cr-b-admin');
SELECT tests.put('pb', api.create_product('{"title": "B product"}'));
SELECT api.add_variant(tests.id('pb'), '{"sku": "SAME", "price": 2}'), api.link_product_channel(tests.id('pb'), 'EBAY', '1');
SELECT tests.as_service();
SELECT tests.put('padmin', api.register_user('cr-padmin', 'ADMIN', 'Platform admin'));
SELECT api.assign_role(tests.id('padmin'), 'PLATFORM_ADMIN');

SELECT tests.as_user('cr-a-staff');
SELECT results_eq($$SELECT tenant_id FROM catalog.product$$, ARRAY[tests.id('a')], 'A''s staff reads A''s products only');
SELECT results_eq($$SELECT tenant_id FROM catalog.variant$$, ARRAY[tests.id('a')], 'A''s variants only');
SELECT results_eq($$SELECT tenant_id FROM catalog.product_channel$$, ARRAY[tests.id('a')], 'A''s channel ids only');
SELECT is_empty($$SELECT 1 FROM catalog.variant WHERE product_id = tests.id('pb')$$, 'not even by B''s id');
SELECT tests.as_user('cr-b-admin');
SELECT results_eq($$SELECT tenant_id FROM catalog.product$$, ARRAY[tests.id('b')], 'and B''s admin reads B''s products only');
SELECT results_eq($$SELECT tenant_id FROM catalog.variant$$, ARRAY[tests.id('b')], 'B''s variants only');
SELECT results_eq($$SELECT tenant_id FROM catalog.product_channel$$, ARRAY[tests.id('b')], 'B''s channel ids only');
SELECT throws_like($$INSERT INTO catalog.product (tenant_id, title) VALUES (tests.id('b'), 'direct')$$, '%permission denied%',
                   'no API role inserts');
SELECT throws_like($$UPDATE catalog.variant SET price = 0$$, '%permission denied%', 'nor updates');
SELECT throws_like($$DELETE FROM catalog.product_channel$$, '%permission denied%', 'nor deletes');
SELECT tests.as_user('cr-padmin');
SELECT is_empty($$SELECT 1 FROM catalog.product$$, 'a platform user reads no row directly (it names a tenant to the functions)');
SELECT tests.as_service();
SELECT is((SELECT count(*)::int FROM catalog.product WHERE id IN (tests.id('pa'), tests.id('pb'))), 2, 'the back office reads all products');
SELECT is((SELECT count(*)::int FROM catalog.variant WHERE product_id IN (tests.id('pa'), tests.id('pb'))), 2, 'and variants');
SELECT is((SELECT count(*)::int FROM catalog.product_channel WHERE product_id IN (tests.id('pa'), tests.id('pb'))), 2, 'and channel ids');
SELECT throws_like($$UPDATE catalog.product SET title = 'x'$$, '%permission denied%', 'but writes nothing directly');
SELECT tests.as_anon();
SELECT throws_like($$SELECT 1 FROM catalog.product$$, '%permission denied%', 'anonymous callers read nothing');
SELECT tests.as_owner();

SELECT policies_are('catalog', 'product', ARRAY['product_tenant', 'product_service'], 'product''s policies');
SELECT policies_are('catalog', 'variant', ARRAY['variant_tenant', 'variant_service'], 'variant''s policies');
SELECT policies_are('catalog', 'product_channel', ARRAY['product_channel_tenant', 'product_channel_service'],
                    'product_channel''s policies');
SELECT is((SELECT count(*)::int FROM pg_class WHERE oid IN ('catalog.product'::regclass, 'catalog.variant'::regclass,
            'catalog.product_channel'::regclass) AND relrowsecurity), 3, 'RLS is on for every catalog table');
SELECT is((SELECT count(*)::int FROM pg_policy WHERE polrelid IN ('catalog.product'::regclass, 'catalog.variant'::regclass,
            'catalog.product_channel'::regclass) AND polcmd <> 'r'), 0, 'SELECT policies only');
SELECT ok(NOT has_table_privilege('mercato_user', 'catalog.variant', 'INSERT, UPDATE, DELETE, TRUNCATE'),
          'mercato_user holds no write privilege');

SELECT * FROM finish();
ROLLBACK;
