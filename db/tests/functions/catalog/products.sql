-- Tests for functions/catalog/products: create, update, publish (ACTIVE with published_at), archive, unarchive, get;
-- who may; tenants apart; status transitions whoever writes; audit.
BEGIN;
SELECT plan(24);

SELECT tests.put('a', tests.shop('cp-a')), tests.put('b', tests.shop('cp-b'));

SELECT tests.as_user('cp-a-admin');
SELECT tests.put('p', api.create_product('{"title": " Charizard ", "description": "Base set", "vendor": "Wizards",
                                          "tags": ["pokemon", "holo"], "metadata": {"set": "base"}}'));
SELECT results_eq($$SELECT x ->> 'title', x ->> 'status', x ->> 'published_at', x -> 'tags', (x ->> 'tenant_id')::bigint
                      FROM api.get_product(tests.id('p')) x$$,
                  $$VALUES ('Charizard', 'DRAFT', NULL::text, '["holo", "pokemon"]'::jsonb, tests.id('a'))$$,
                  'created as a DRAFT of the caller''s tenant, title trimmed, tags sorted');
SELECT throws_like($$SELECT api.create_product('{"title": ""}')$$, 'CATALOG_INVALID_INPUT:%', 'a title is required');
SELECT throws_like($$SELECT api.create_product('{"title": "x", "colour": "red"}')$$, 'CATALOG_INVALID_INPUT:%',
                   'an unknown field is refused');
SELECT throws_like($$SELECT api.create_product('{"title": "x", "metadata": [1]}')$$, 'CATALOG_INVALID_INPUT:%',
                   'metadata is an object');
SELECT throws_like($$SELECT api.create_product('{"title": "x"}', tests.id('b'))$$, 'IDENTITY_TENANT_MISMATCH:%',
                   'a tenant''s admin never names another tenant');
SELECT is(api.update_product(tests.id('p'), '{"vendor": null, "category": "cards"}') ->> 'category', 'cards', 'updated');
SELECT is((api.get_product(tests.id('p')) ->> 'vendor'), NULL, 'null clears an optional field');
SELECT is((api.get_product(tests.id('p')) ->> 'description'), 'Base set', 'an absent field is kept');
SELECT throws_like($$SELECT api.update_product(tests.id('p'), '{"status": "ACTIVE"}')$$, 'CATALOG_INVALID_INPUT:%',
                   'the status changes through publish and archive only');

SELECT is(api.publish_product(tests.id('p')) ->> 'status', 'ACTIVE', 'published');
SELECT isnt((SELECT published_at FROM catalog.product WHERE id = tests.id('p')), NULL, 'with published_at');
-- first published long ago (history: the function stamps now())
SELECT tests.as_owner();
UPDATE catalog.product SET published_at = '2020-01-01T00:00:00Z' WHERE id = tests.id('p');
SELECT tests.as_user('cp-a-admin');
SELECT is(api.publish_product(tests.id('p')) ->> 'status', 'ACTIVE', 'publishing again changes nothing');
SELECT is(api.archive_product(tests.id('p')) ->> 'status', 'ARCHIVED', 'archived');
SELECT throws_like($$SELECT api.publish_product(tests.id('p'))$$, 'CATALOG_INVALID_TRANSITION:%',
                   'an archived product is not published again directly');
SELECT throws_like($$SELECT api.unarchive_product(api.create_product('{"title": "y"}'))$$, 'CATALOG_INVALID_TRANSITION:%',
                   'only an archived product is unarchived');
SELECT is(api.unarchive_product(tests.id('p')) ->> 'status', 'DRAFT', 'unarchived as a draft');
SELECT is((api.publish_product(tests.id('p')) ->> 'published_at')::timestamptz, '2020-01-01T00:00:00Z'::timestamptz,
          'published again: the first publication time is kept');

SELECT tests.as_user('cp-a-staff');
SELECT throws_like($$SELECT api.create_product('{"title": "x"}')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'staff without catalog.manage may not create');
SELECT is(api.get_product(tests.id('p')) ->> 'title', 'Charizard', 'but reads its tenant''s products');
SELECT tests.as_user('cp-b-admin');
SELECT throws_like($$SELECT api.get_product(tests.id('p'))$$, 'CATALOG_UNKNOWN_PRODUCT:%', 'another tenant''s product is as if absent');
SELECT throws_like($$SELECT api.publish_product(tests.id('p'))$$, 'CATALOG_UNKNOWN_PRODUCT:%', 'and cannot be changed');
SELECT tests.as_service();
SELECT is(api.update_product(tests.id('p'), '{"seo_title": "Charizard 4/102"}', tests.id('a')) ->> 'seo_title',
          'Charizard 4/102', 'the back office names the tenant');
SELECT tests.as_owner();

-- transitions whoever writes
SELECT throws_like($$UPDATE catalog.product SET status = 'DRAFT' WHERE id = tests.id('p');
                     UPDATE catalog.product SET status = 'ARCHIVED' WHERE id = tests.id('p');
                     UPDATE catalog.product SET status = 'ACTIVE' WHERE id = tests.id('p')$$,
                   'CATALOG_INVALID_TRANSITION:%', 'ARCHIVED -> ACTIVE is refused by the trigger');
SELECT ok((SELECT count(*) FROM audit.event WHERE entity_type = 'catalog.product' AND entity_id = tests.id('p')::text) >= 6,
          'every change of the product is audited');

SELECT * FROM finish();
ROLLBACK;
