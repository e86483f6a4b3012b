-- Tests for functions/catalog/channels: an external id per product and channel, unique per tenant and channel, the
-- reverse look-up, tenants apart.
BEGIN;
SELECT plan(10);

SELECT tests.put('a', tests.shop('ch-a')), tests.put('b', tests.shop('ch-b'));
SELECT tests.as_user('ch-a-admin');
SELECT tests.put('p', api.create_product('{"title": "Charizard"}')), tests.put('q', api.create_product('{"title": "Blastoise"}'));

SELECT is(api.link_product_channel(tests.id('p'), 'tcgplayer', ' 42 '), '[{"channel": "TCGPLAYER", "external_id": "42"}]',
          'linked (channel upper-cased, id trimmed)');
SELECT is(jsonb_array_length(api.link_product_channel(tests.id('p'), 'EBAY', '42')), 2, 'the same id on another channel');
SELECT is(api.link_product_channel(tests.id('p'), 'EBAY', '43') -> 0 ->> 'external_id', '43',
          'linking again on a channel replaces the id');
SELECT throws_like($$SELECT api.link_product_channel(tests.id('q'), 'TCGPLAYER', '42')$$, 'CATALOG_CHANNEL_ID_TAKEN:%',
                   'an external id names one product per tenant and channel');
SELECT throws_like($$SELECT api.link_product_channel(tests.id('q'), 'MYSPACE', '1')$$, 'CATALOG_INVALID_INPUT:%', 'a known channel');
SELECT throws_like($$SELECT api.link_product_channel(tests.id('q'), 'POS', '')$$, 'CATALOG_INVALID_INPUT:%', 'an id is required');
SELECT is(api.product_by_channel('TCGPLAYER', '42'), tests.id('p'), 'the product an external id names');

SELECT tests.as_user('ch-b-admin');
SELECT tests.put('pb', api.create_product('{"title": "Other"}'));
SELECT ok(api.link_product_channel(tests.id('pb'), 'TCGPLAYER', '42') IS NOT NULL, 'another tenant uses the same external id');
SELECT is(api.product_by_channel('TCGPLAYER', '42'), tests.id('pb'), 'and finds its own product by it');
SELECT throws_like($$SELECT api.link_product_channel(tests.id('p'), 'POS', '9')$$, 'CATALOG_UNKNOWN_PRODUCT:%',
                   'never another tenant''s product');

SELECT * FROM finish();
ROLLBACK;
