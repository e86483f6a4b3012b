-- Tests for functions/catalog/variants: add and update with every rule refused by a code and nothing written, SKU unique
-- per tenant (the same SKU in two tenants), options unique per product, the currency's minor units, archived products.
BEGIN;
SELECT plan(27);

SELECT tests.put('a', tests.shop('cv-a')), tests.put('b', tests.shop('cv-b')), tests.put('j', tests.shop('cv-j', 'JPY')),
       tests.put('n', tests.shop('cv-n', NULL));

SELECT tests.as_user('cv-a-admin');
SELECT tests.put('p', api.create_product('{"title": "Charizard"}'));
SELECT tests.put('v', api.add_variant(tests.id('p'), '{"sku": "CHZ-NM", "price": "120.00", "compare_at_price": 150,
    "cost": "80.5", "option1": "Near Mint", "option2": "Holofoil", "weight": 2, "max_quantity": 1,
    "inventory_policy": "continue", "metadata": {"grade": null}}'));
SELECT results_eq($$SELECT x ->> 'sku', x ->> 'price', x ->> 'currency', x ->> 'title', x ->> 'inventory_policy',
                           (x ->> 'max_quantity')::int, x ->> 'weight_unit', (x ->> 'track_inventory')::boolean
                      FROM api.get_variant(tests.id('v')) x$$,
                  $$VALUES ('CHZ-NM', '120.00', 'USD', 'Near Mint / Holofoil', 'CONTINUE', 1, 'g', true)$$,
                  'a variant in the tenant''s currency, titled by its options, with its defaults');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-NM", "price": 1, "option1": "LP"}')$$,
                   'CATALOG_SKU_TAKEN:%', 'a SKU is unique in the tenant');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-X", "price": 1, "option1": "Near Mint",
                                                             "option2": "Holofoil"}')$$,
                   'CATALOG_OPTIONS_TAKEN:%', 'options are unique per product');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "price": "1.999", "option1": "DMG"}')$$,
                   'CATALOG_AMOUNT_SCALE:%', 'a dollar price has at most 2 decimals');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "price": 1, "cost": "0.001", "option1": "DMG"}')$$,
                   'CATALOG_AMOUNT_SCALE:%', 'the cost too');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "price": -1, "option1": "DMG"}')$$,
                   'CATALOG_INVALID_INPUT:%', 'a negative price');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "option1": "DMG"}')$$,
                   'CATALOG_INVALID_INPUT:%', 'a price is required');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"price": 1, "option1": "DMG"}')$$,
                   'CATALOG_INVALID_INPUT:%', 'a SKU is required');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "price": 1, "option1": "DMG", "weight_unit": "stone"}')$$,
                   'CATALOG_INVALID_INPUT:%', 'a weight unit of g, kg, oz, lb');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "price": 1, "option1": "DMG", "max_quantity": 0}')$$,
                   'CATALOG_INVALID_INPUT:%', 'max_quantity > 0');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "price": 1, "option1": "DMG", "inventory_policy": "MAYBE"}')$$,
                   'CATALOG_INVALID_INPUT:%', 'policy DENY or CONTINUE');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Y", "price": 1, "option2": "DMG"}')$$,
                   'CATALOG_INVALID_INPUT:%', 'option2 needs option1');
SELECT throws_like($$SELECT api.add_variant(-1, '{"sku": "CHZ-Y", "price": 1}')$$, 'CATALOG_UNKNOWN_PRODUCT:%', 'an unknown product');
SELECT is((SELECT count(*)::int FROM catalog.variant WHERE product_id = tests.id('p')), 1, 'nothing was written by the refusals');

SELECT is(api.update_variant(tests.id('v'), '{"price": "99.95", "option2": null}') ->> 'title', 'Near Mint',
          'updated; the title follows the options');
SELECT throws_like($$SELECT api.update_variant(tests.id('v'), '{"compare_at_price": "1.005"}')$$, 'CATALOG_AMOUNT_SCALE:%',
                   'the scale is checked on update');
SELECT is((SELECT price FROM catalog.variant WHERE id = tests.id('v')), 99.95, 'and the refused update wrote nothing');
SELECT is(api.update_variant(tests.id('v'), '{"status": "archived"}') ->> 'status', 'ARCHIVED', 'a variant is archived');
SELECT throws_like($$SELECT api.update_variant(tests.id('v'), '{"status": "GONE"}')$$, 'CATALOG_INVALID_INPUT:%', 'a known status');
SELECT tests.put('v2', api.add_variant(tests.id('p'), '{"sku": "CHZ-LP", "price": 90}'));
SELECT throws_like($$SELECT api.update_variant(tests.id('v2'), '{"sku": "CHZ-NM"}')$$, 'CATALOG_SKU_TAKEN:%',
                   'an update never takes another variant''s SKU');
SELECT api.archive_product(tests.id('p'));
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "CHZ-Z", "price": 1, "option1": "HP"}')$$,
                   'CATALOG_INVALID_TRANSITION:%', 'an archived product takes no new variant');

SELECT tests.as_user('cv-b-admin');
SELECT tests.put('pb', api.create_product('{"title": "Other shop"}'));
SELECT ok(api.add_variant(tests.id('pb'), '{"sku": "CHZ-NM", "price": "5"}') > 0, 'the same SKU in another tenant');
SELECT throws_like($$SELECT api.get_variant(tests.id('v'))$$, 'CATALOG_UNKNOWN_VARIANT:%', 'another tenant''s variant is as if absent');
SELECT throws_like($$SELECT api.update_variant(tests.id('v'), '{"price": 1}')$$, 'CATALOG_UNKNOWN_VARIANT:%', 'and cannot be changed');
SELECT throws_like($$SELECT api.add_variant(tests.id('p'), '{"sku": "X", "price": 1}')$$, 'CATALOG_UNKNOWN_PRODUCT:%',
                   'nor its product given a variant');

SELECT tests.as_user('cv-j-admin');
SELECT tests.put('pj', api.create_product('{"title": "Yen"}'));
SELECT throws_like($$SELECT api.add_variant(tests.id('pj'), '{"sku": "Y1", "price": "100.5"}')$$, 'CATALOG_AMOUNT_SCALE:%',
                   'a yen price has no decimals');
SELECT tests.as_user('cv-n-admin');
SELECT tests.put('pn', api.create_product('{"title": "No currency yet"}'));
SELECT throws_like($$SELECT api.add_variant(tests.id('pn'), '{"sku": "N1", "price": "1"}')$$, 'CATALOG_NO_CURRENCY:%',
                   'no variant before the tenant has a currency');

SELECT * FROM finish();
ROLLBACK;
