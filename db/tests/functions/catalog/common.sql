-- Tests for functions/catalog/common: whose catalog a call acts on, the document readers (each refusal names the
-- field), constraint refusals as codes, the JSON shapes.
BEGIN;
SELECT plan(24);

SELECT tests.put('a', tests.shop('cc-a')), tests.put('b', tests.shop('cc-b'));
SELECT tests.as_service();
SELECT api.assign_role(api.register_user('cc-padmin', 'ADMIN', 'Platform admin'), 'PLATFORM_ADMIN');
SELECT tests.as_owner();
-- internal functions unit-tested as an API role: granted in this rolled-back transaction only
GRANT EXECUTE ON FUNCTION catalog.write_tenant(bigint), catalog.read_tenant(bigint), catalog.resolve_tenant(bigint),
    identity.has_permission(bigint, text, bigint), identity.require_permission(text, bigint), identity.require_user(),
    identity.is_service(), identity.caller_role(), identity.current_actor(), core.raise(text, text, text)
    TO mercato_user, mercato_service;

SELECT tests.as_user('cc-a-admin');
SELECT is(catalog.write_tenant(NULL), tests.id('a'), 'a tenant''s admin writes its own tenant');
SELECT is(catalog.write_tenant(tests.id('a')), tests.id('a'), 'naming it changes nothing');
SELECT throws_like($$SELECT catalog.write_tenant(tests.id('b'))$$, 'IDENTITY_TENANT_MISMATCH:%', 'never another tenant');
SELECT tests.as_user('cc-a-staff');
SELECT throws_like('SELECT catalog.write_tenant(NULL)', 'IDENTITY_PERMISSION_DENIED:%', 'staff without catalog.manage may not write');
SELECT is(catalog.read_tenant(NULL), tests.id('a'), 'but reads its tenant''s catalog');
SELECT tests.as_user('cc-padmin');
SELECT throws_like('SELECT catalog.write_tenant(NULL)', 'CATALOG_INVALID_INPUT:%', 'a platform user names the tenant');
-- (through the api: the internal functions run inside SECURITY DEFINER ones, and a platform user reads no tenant row)
SELECT ok(api.create_product('{"title": "Platform made"}', tests.id('b')) > 0, 'a platform admin writes the tenant it names');
SELECT throws_like('SELECT api.get_product(1, -1)', 'IDENTITY_UNKNOWN_TENANT:%', 'an unknown tenant');
SELECT tests.as_service();
SELECT is(catalog.read_tenant(tests.id('a')), tests.id('a'), 'the back office names the tenant');
SELECT tests.as_anon();
SELECT throws_like('SELECT api.get_product(1)', '%permission denied%', 'anonymous callers may not even call it');
SELECT tests.as_owner();

SELECT throws_like($$SELECT catalog.doc_keys('[]', ARRAY['a'])$$, 'CATALOG_INVALID_INPUT:%', 'a document is an object');
SELECT throws_like($$SELECT catalog.doc_keys('{"a": 1, "zz": 2}', ARRAY['a'])$$, 'CATALOG_INVALID_INPUT:%', 'unknown keys refused');
SELECT is(catalog.doc_text('{"t": "  x  "}', 't'), 'x', 'strings trimmed');
SELECT is(catalog.doc_text('{"t": "   "}', 't'), NULL, 'blank is NULL');
SELECT throws_like($$SELECT catalog.doc_text('{"t": 1}', 't')$$, 'CATALOG_INVALID_INPUT:%', 'a number is not a string');
SELECT is(scale(catalog.doc_numeric('{"p": "12.50"}', 'p')), 2, 'a decimal string keeps its scale');
SELECT is(catalog.doc_numeric('{"p": 12.5}', 'p'), 12.5, 'a JSON number');
SELECT throws_like($$SELECT catalog.doc_numeric('{"p": "NaN"}', 'p')$$, 'CATALOG_INVALID_INPUT:%', 'NaN refused');
SELECT throws_like($$SELECT catalog.doc_numeric('{"p": "twelve"}', 'p')$$, 'CATALOG_INVALID_INPUT:%', 'text refused');
SELECT throws_like($$SELECT catalog.doc_int('{"q": 1.5}', 'q')$$, 'CATALOG_INVALID_INPUT:%', 'a whole number');
SELECT is(catalog.doc_tags('{"t": ["b", " a", "b"]}', 't'), ARRAY['a', 'b'], 'tags trimmed, deduplicated, sorted');
SELECT throws_like($$SELECT catalog.doc_tags('{"t": [1]}', 't')$$, 'CATALOG_INVALID_INPUT:%', 'tags are strings');
SELECT throws_like($$SELECT catalog.refuse_constraint('23505', 'variant', 'variant_tenant_id_sku_key', NULL, 'x')$$,
                   'CATALOG_SKU_TAKEN:%', 'the SKU key is CATALOG_SKU_TAKEN');
SELECT throws_like($$SELECT catalog.refuse_constraint('23514', 'product', 'product_title_check', NULL, 'x')$$,
                   'CATALOG_INVALID_INPUT:%', 'a CHECK is CATALOG_INVALID_INPUT');

SELECT * FROM finish();
ROLLBACK;
