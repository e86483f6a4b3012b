-- Tests for functions/catalog/search_fallback: trigram title matching is the fallback of a query nothing else matches;
-- without a query, pages in id order from the cursor, filters applied, every row once.
BEGIN;
SELECT plan(6);

SELECT tests.put('a', tests.shop('sf-a'));
SELECT tests.as_user('sf-a-admin');
SELECT tests.put('chz', api.create_product('{"title": "Charizard Holo", "category": "cards"}')),
       tests.put('char', api.create_product('{"title": "Charcoal sleeves", "category": "supplies"}')),
       tests.put('box', api.create_product('{"title": "Booster box", "category": "sealed"}'));
SELECT api.add_variant(tests.id('box'), '{"sku": "CHARZ-BOX", "price": 100}');

SELECT results_eq($$SELECT product_id FROM api.search_catalog('charzard')$$, ARRAY[tests.id('chz')],
                  'a misspelt query falls back to the titles'' trigrams');
SELECT results_eq($$SELECT product_id FROM api.search_catalog('charz')$$, ARRAY[tests.id('box')],
                  'a query a SKU matches uses no fallback');
SELECT results_eq($$SELECT product_id FROM api.search_catalog('char')$$, ARRAY[tests.id('chz'), tests.id('char'), tests.id('box')],
                  'prefixes and the SKU part together');
SELECT results_eq($$SELECT product_id FROM api.search_catalog(NULL, '{}', 2)$$, ARRAY[tests.id('chz'), tests.id('char')],
                  'without a query: id order, one page');
SELECT results_eq($$SELECT product_id FROM api.search_catalog(NULL, '{}', 2,
                      (SELECT cursor FROM api.search_catalog(NULL, '{}', 2) ORDER BY product_id DESC LIMIT 1))$$,
                  ARRAY[tests.id('box')], 'the next page from the cursor');
SELECT results_eq($$SELECT product_id FROM api.search_catalog(NULL, '{"category": "sealed"}')$$, ARRAY[tests.id('box')],
                  'filters without a query');

SELECT * FROM finish();
ROLLBACK;
