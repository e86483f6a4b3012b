-- Tests for schemas/store/rls: a tenant's users read their own tenant's cards and card variants (tables and the api reads),
-- another tenant's never; the back office reads all; anonymous callers nothing; no API role writes them.
BEGIN;
SELECT plan(17);

SELECT tests.put('a', identity.create_tenant('tcgr-a', 'A')), tests.put('b', identity.create_tenant('tcgr-b', 'B'));
UPDATE identity.tenant SET currency = 'USD' WHERE code IN ('tcgr-a', 'tcgr-b');
SELECT tests.put('ua', identity.register_user('tcgr-a-staff', 'STAFF', 'A staff', tests.id('a'))),
       tests.put('ub', identity.register_user('tcgr-b-staff', 'STAFF', 'B staff', tests.id('b'))),
       tests.put('nobody', identity.register_user('tcgr-nobody', 'CUSTOMER', 'No tenant'));
WITH x AS (INSERT INTO catalog.product (tenant_id, title) VALUES (tests.id('a'), 'A card'), (tests.id('b'), 'B card')
           RETURNING id, tenant_id)
SELECT tests.put(CASE WHEN tenant_id = tests.id('a') THEN 'pa' ELSE 'pb' END, id) FROM x;
WITH x AS (INSERT INTO catalog.variant (tenant_id, product_id, sku, price)
           VALUES (tests.id('a'), tests.id('pa'), 'A-1', 1), (tests.id('b'), tests.id('pb'), 'B-1', 1)
           RETURNING id, tenant_id)
SELECT tests.put(CASE WHEN tenant_id = tests.id('a') THEN 'va' ELSE 'vb' END, id) FROM x;
INSERT INTO store.card (product_id, tenant_id, game, set_code)
VALUES (tests.id('pa'), tests.id('a'), 'MTG', 'LEA'), (tests.id('pb'), tests.id('b'), 'POKEMON', 'BS');
INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language)
VALUES (tests.id('va'), tests.id('a'), 'NEAR_MINT', 'FOIL', 'EN'), (tests.id('vb'), tests.id('b'), 'MINT', 'HOLOFOIL', 'JA');

SELECT tests.as_user('tcgr-a-staff');
SELECT results_eq('SELECT product_id FROM store.card', format('VALUES (%s::bigint)', tests.id('pa')), 'A''s staff: A''s cards');
SELECT results_eq('SELECT variant_id FROM store.card_variant', format('VALUES (%s::bigint)', tests.id('va')), 'and A''s variants');
SELECT results_eq('SELECT product_id FROM api.store_cards()', format('VALUES (%s::bigint)', tests.id('pa')), 'api.store_cards() too');
SELECT results_eq('SELECT variant_id, tcgplayer_condition FROM api.store_card_variants()',
                  format($$VALUES (%s::bigint, 'NEAR_MINT'::text)$$, tests.id('va')), 'api.store_card_variants() too');
SELECT throws_ok(format($$UPDATE store.card SET set_code = 'X' WHERE product_id = %s$$, tests.id('pa')), '42501', NULL,
                 'no API role updates a card');
SELECT throws_ok(format($$DELETE FROM store.card_variant WHERE variant_id = %s$$, tests.id('va')), '42501', NULL,
                 'nor deletes a variant');
SELECT tests.as_user('tcgr-b-staff');
SELECT results_eq('SELECT product_id FROM store.card', format('VALUES (%s::bigint)', tests.id('pb')), 'B''s staff: B''s cards');
SELECT results_eq('SELECT variant_id FROM api.store_card_variants()', format('VALUES (%s::bigint)', tests.id('vb')),
                  'and B''s variants');
SELECT tests.as_user('tcgr-nobody');
SELECT is((SELECT count(*) FROM store.card), 0::bigint, 'a user of no tenant: no card');
SELECT is((SELECT count(*) FROM store.card_variant), 0::bigint, 'no variant');
SELECT tests.as_service();
SELECT is((SELECT count(*) FROM store.card WHERE product_id IN (tests.id('pa'), tests.id('pb'))), 2::bigint, 'the back office: all cards');
SELECT is((SELECT count(*) FROM api.store_card_variants() WHERE variant_id IN (tests.id('va'), tests.id('vb'))), 2::bigint,
          'and all variants');
SELECT results_eq(format('SELECT product_id FROM api.store_cards(p_tenant_id => %s)', tests.id('b')),
                  format('VALUES (%s::bigint)', tests.id('pb')), 'or the tenant it names');
SELECT tests.as_anon();
SELECT throws_ok('SELECT 1 FROM store.card', '42501', NULL, 'anonymous: no card');
SELECT throws_ok('SELECT 1 FROM api.store_card_variants()', '42501', NULL, 'no variant');
SELECT tests.as_owner();
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'store.card'::regclass), 'row-level security on store.card');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'store.card_variant'::regclass), 'and on store.card_variant');

SELECT * FROM finish();
ROLLBACK;
