-- Tests for functions/catalog/search: weighted full text (title > description > vendor), trigram for misspelt titles and
-- partial SKUs and barcodes, filters, keyset pages that return every row once, the tenant's rows only.
BEGIN;
SELECT plan(23);

SELECT tests.put('a', tests.shop('cs-a')), tests.put('b', tests.shop('cs-b'));
SELECT tests.as_user('cs-a-admin');
SELECT tests.put('title', api.create_product('{"title": "Pikachu Illustrator", "description": "promo card", "category": "cards",
                                              "tags": ["pokemon", "promo"]}'));
SELECT tests.put('desc', api.create_product('{"title": "Booster Box", "description": "may contain a pikachu", "category": "sealed",
                                             "tags": ["pokemon"]}'));
SELECT tests.put('vendor', api.create_product('{"title": "Card sleeves", "description": "100 sleeves", "vendor": "Pikachu Supplies",
                                               "category": "supplies"}'));
SELECT tests.put('other', api.create_product('{"title": "Charizard Holo", "category": "cards", "metadata": {"game": "pokemon"}}'));
SELECT api.add_variant(tests.id('title'), '{"sku": "PKM-ILL-PSA10", "barcode": "0123456789012", "price": "5000000"}'),
       api.add_variant(tests.id('desc'), '{"sku": "BOX-BASE-1", "price": "450.00"}'),
       api.add_variant(tests.id('vendor'), '{"sku": "SLV-100", "price": "9.99"}'),
       api.add_variant(tests.id('other'), '{"sku": "CHZ-NM", "price": "120", "option1": "NM"}'),
       api.add_variant(tests.id('other'), '{"sku": "CHZ-LP", "price": "90", "option1": "LP"}');
SELECT api.publish_product(tests.id('other'));

SELECT results_eq($$SELECT product_id FROM api.search_catalog('pikachu')$$,
                  ARRAY[tests.id('title'), tests.id('desc'), tests.id('vendor')],
                  'title above description above vendor');
SELECT results_eq($$SELECT product_id FROM api.search_catalog('pika')$$,
                  ARRAY[tests.id('title'), tests.id('desc'), tests.id('vendor')], 'words match as prefixes');
SELECT results_eq($$SELECT product_id FROM api.search_catalog('charzard')$$, ARRAY[tests.id('other')],
                  'a misspelt title is found by trigrams');
SELECT results_eq($$SELECT product_id FROM api.search_catalog('ILL-PSA')$$, ARRAY[tests.id('title')], 'a partial SKU');
SELECT results_eq($$SELECT product_id FROM api.search_catalog('4567890')$$, ARRAY[tests.id('title')], 'a partial barcode');
SELECT results_eq($$SELECT product_id FROM api.search_catalog('pikachu', '{"category": "sealed"}')$$, ARRAY[tests.id('desc')],
                  'filtered by category');
SELECT results_eq($$SELECT product_id FROM api.search_catalog(NULL, '{"tags": ["promo", "pokemon"]}')$$, ARRAY[tests.id('title')],
                  'filtered by tags (all of them)');
SELECT results_eq($$SELECT product_id FROM api.search_catalog(NULL, '{"price_min": "100", "price_max": 500}')$$,
                  ARRAY[tests.id('desc'), tests.id('other')], 'filtered by price range (an active variant within)');
SELECT results_eq($$SELECT product_id FROM api.search_catalog(NULL, '{"status": "ACTIVE"}')$$, ARRAY[tests.id('other')],
                  'filtered by status');
SELECT results_eq($$SELECT product_id FROM api.search_catalog(NULL, '{"metadata": {"game": "pokemon"}}')$$,
                  ARRAY[tests.id('other')], 'filtered by metadata');
SELECT results_eq($$SELECT min_price, max_price, variant_count, currency FROM api.search_catalog('charizard')$$,
                  $$VALUES (90::numeric, 120::numeric, 2, 'USD')$$, 'a row carries its price range in the tenant''s currency');

-- keyset pages: every row once, in order
CREATE FUNCTION pg_temp.all_pages(p_query text, p_size integer) RETURNS bigint[] LANGUAGE plpgsql AS $f$
DECLARE
    v_ids bigint[] := '{}';
    v_cur text;
    r     record;
    n     integer;
BEGIN
    FOR i IN 1..20 LOOP
        n := 0;
        FOR r IN SELECT * FROM api.search_catalog(p_query, '{}', p_size, v_cur) LOOP
            v_ids := v_ids || r.product_id;
            v_cur := r.cursor;
            n := n + 1;
        END LOOP;
        EXIT WHEN n < p_size;
    END LOOP;
    RETURN v_ids;
END
$f$;
GRANT EXECUTE ON FUNCTION pg_temp.all_pages(text, integer) TO mercato_user;
SELECT is(pg_temp.all_pages(NULL, 3), ARRAY[tests.id('title'), tests.id('desc'), tests.id('vendor'), tests.id('other')],
          'pages of three without a query: every product once, by id');
SELECT is(pg_temp.all_pages('pikachu', 1), ARRAY[tests.id('title'), tests.id('desc'), tests.id('vendor')],
          'ranked pages of one follow the ranking, each row once');
SELECT throws_like($$SELECT * FROM api.search_catalog('x', '{}', 20, 'bm90IGEgY3Vyc29y')$$, 'CATALOG_INVALID_CURSOR:%',
                   'a forged cursor is refused');
SELECT throws_like($$SELECT * FROM api.search_catalog('x', '{}', 0)$$, 'CATALOG_INVALID_INPUT:%', 'a page of 1 to 100');
SELECT throws_like($$SELECT * FROM api.search_catalog('x', '{"colour": "red"}')$$, 'CATALOG_INVALID_INPUT:%', 'an unknown filter');

SELECT tests.as_user('cs-b-admin');
SELECT is_empty($$SELECT * FROM api.search_catalog('pikachu')$$, 'another tenant finds none of them');

-- a misspelt query falls back to the titles' trigrams; without a query, pages in id order --------------------
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
