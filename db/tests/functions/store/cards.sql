-- Tests for functions/store/cards: store.add_card and store.add_card_variant through their api wrappers, as the
-- callers PostgREST would switch to: a tenant admin (store.manage), a custom role holding only store.manage or
-- catalog.manage, staff without either, another tenant's admin, the back office naming the tenant; the refusals'
-- codes and details (STORE_INVALID_CARD_ATTRIBUTE names the field), codes normalised, grades that a column would round.
BEGIN;
SELECT plan(28);

SELECT tests.put('a', identity.create_tenant('tcgc-a', 'A')), tests.put('b', identity.create_tenant('tcgc-b', 'B'));
UPDATE identity.tenant SET currency = 'USD' WHERE code IN ('tcgc-a', 'tcgc-b');
SELECT tests.put('a_admin', identity.register_user('tcgc-a-admin', 'ADMIN', 'A admin', tests.id('a'))),
       tests.put('b_admin', identity.register_user('tcgc-b-admin', 'ADMIN', 'B admin', tests.id('b'))),
       tests.put('clerk', identity.register_user('tcgc-a-clerk', 'STAFF', 'A clerk', tests.id('a'))),
       tests.put('lister', identity.register_user('tcgc-a-lister', 'STAFF', 'A lister', tests.id('a'))),
       tests.put('padmin', identity.register_user('tcgc-padmin', 'ADMIN', 'Platform'));
SELECT identity.assign_role(tests.id('a_admin'), 'TENANT_ADMIN', tests.id('a')),
       identity.assign_role(tests.id('b_admin'), 'TENANT_ADMIN', tests.id('b')),
       identity.assign_role(tests.id('padmin'), 'PLATFORM_ADMIN');
WITH x AS (INSERT INTO catalog.product (tenant_id, title)
           VALUES (tests.id('a'), 'Black Lotus'), (tests.id('a'), 'Dark Magician'), (tests.id('b'), 'Mox Pearl')
           RETURNING id, title)
SELECT tests.put(CASE title WHEN 'Black Lotus' THEN 'p' WHEN 'Dark Magician' THEN 'py' ELSE 'pb' END, id) FROM x;
WITH x AS (INSERT INTO catalog.variant (tenant_id, product_id, sku, option1, price, max_quantity)
           SELECT tests.id('a'), tests.id('p'), 'LEA-' || n, 'LEA-' || n, 100, CASE WHEN n <= 3 THEN 1 END FROM generate_series(1, 6) n
           RETURNING id, sku)
SELECT tests.put('v' || split_part(sku, '-', 2), id) FROM x;
WITH x AS (INSERT INTO catalog.variant (tenant_id, product_id, sku, price, max_quantity)
           VALUES (tests.id('b'), tests.id('pb'), 'B-1', 100, 1), (tests.id('a'), tests.id('py'), 'LOB-1', 10, NULL)
           RETURNING id, sku)
SELECT tests.put(CASE sku WHEN 'B-1' THEN 'vb' ELSE 'vy' END, id) FROM x;

-- a tenant admin makes the product a card and its variants units and slabs
SELECT tests.as_user('tcgc-a-admin');
SELECT is(api.add_card(tests.id('p'), 'mtg', 'LEA', '232', 'Rare', 'Limited Edition Alpha', 0, ARRAY['u', 'w'],
                       '{"vintage": "restricted"}'), tests.id('p'), 'api.add_card returns the product id');
SELECT results_eq(format('SELECT game, set_code, color_identity FROM api.store_cards() WHERE product_id = %s', tests.id('p')),
                  $$VALUES ('MTG'::text, 'LEA'::text, ARRAY['W', 'U'])$$, 'the game upper-cased, colors in WUBRG order');
SELECT throws_like(format($$SELECT api.add_card(%s, 'MTG', 'LEA')$$, tests.id('p')), 'STORE_CARD_UNIT_EXISTS:%',
                   'a product is a card once');
SELECT is(tests.error_of(format($$SELECT api.add_card(%s, 'YUGIOH', 'LOB', p_cmc => 4)$$, tests.id('py'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE cmc: only MTG cards have a mana value, not YUGIOH cards', 'the field and the reason');
SELECT is(api.add_card(tests.id('py'), 'yugioh', 'LOB'), tests.id('py'), 'a Yu-Gi-Oh! card: no mana value, no color identity');
SELECT is(tests.error_of(format($$SELECT api.add_card(%s, 'MTG', 'LEA')$$, tests.id('pb'))),
          format('PT404 STORE_UNKNOWN_PRODUCT product_id: product %s in tenant %s', tests.id('pb'), tests.id('a')),
          'another tenant''s product is as if absent');
SELECT is(api.add_card_variant(tests.id('v4'), 'foil', 'en', 'near_mint'), tests.id('v4'), 'an ungraded unit, codes upper-cased');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'FOIL', 'EN', 'NEAR_MINT')$$, tests.id('v5'))),
          format('PT409 STORE_CARD_UNIT_EXISTS condition: product %s in NEAR_MINT, FOIL, EN is already variant %s',
                 tests.id('p'), tests.id('v4')), 'the same unit twice');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'FOIL', 'EN', 'MINT')$$, tests.id('v4'))),
          format('PT409 STORE_CARD_UNIT_EXISTS variant_id: variant %s already has TCG attributes', tests.id('v4')),
          'a variant carries one set of attributes');
SELECT is(api.add_card_variant(tests.id('v1'), 'NONFOIL', p_grading_company => 'psa', p_grade => 10, p_cert_number => '48151623'),
          tests.id('v1'), 'a PSA 10 slab');
SELECT results_eq(format('SELECT grading_company, scale_version, grade, grade_label, condition FROM api.store_card_variants() WHERE variant_id = %s', tests.id('v1')),
                  $$VALUES ('PSA'::text, 1, 10::numeric, 'GEM_MINT'::text, NULL::text)$$, 'its label and scale version filled in');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company => 'PSA', p_grade => 9.25, p_cert_number => '1')$$, tests.id('v2'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: PSA has no grade 9.25 (1 to 10; half grades 1.5 to 8.5 only)',
          'grade: PSA has no grade 9.25');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company => 'BGS', p_grade => 95, p_cert_number => '1')$$, tests.id('v2'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: BGS has no grade 95 (1 to 10 in steps of 0.5)',
          'a grade of 95 is refused by name, not by a numeric overflow');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company => 'BGS', p_grade => 9.5, p_cert_number => '1', p_centering => 9.5, p_corners => 9.5, p_edges => 9.5, p_surface => 12)$$, tests.id('v2'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE surface: a BGS subgrade is 1 to 10 in steps of 0.5, not 12', 'a subgrade off the scale');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company => 'PSA', p_grade => 9)$$, tests.id('v2'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE cert_number: required when graded', 'cert_number required');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company => 'PSA', p_grade => 9, p_cert_number => '48151623')$$, tests.id('v2'))),
          format('PT409 STORE_CARD_UNIT_EXISTS cert_number: PSA 48151623 is already variant %s', tests.id('v1')),
          'one slab per certificate');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'NONFOIL', p_grading_company => 'PSA', p_grade => 9, p_cert_number => '77')$$, tests.id('v6'))),
          format('PT400 STORE_INVALID_CARD_ATTRIBUTE max_quantity: a graded slab is one unit: variant %s needs max_quantity 1, not unlimited',
                 tests.id('v6')), 'a slab needs a one-unit catalog variant');
SELECT is(api.add_card_variant(tests.id('v2'), 'NONFOIL', 'JA', p_grading_company => 'BGS', p_grade => 9.5,
                               p_cert_number => '0012345678', p_centering => 9.5, p_corners => 9.5, p_edges => 10,
                               p_surface => 9), tests.id('v2'), 'a BGS 9.5 with its subgrades');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'FOIL', 'EN', 'MINT')$$, tests.id('vb'))),
          format('PT404 STORE_UNKNOWN_VARIANT variant_id: variant %s in tenant %s', tests.id('vb'), tests.id('a')),
          'another tenant''s variant is as if absent');
SELECT throws_like(format($$SELECT api.add_card(%s, 'MTG', 'LEA', p_tenant_id => %s)$$, tests.id('pb'), tests.id('b')),
                   'IDENTITY_TENANT_MISMATCH:%', 'a tenant''s admin cannot name another tenant');

-- staff without the permission; then a custom role of store.manage, another of catalog.manage
SELECT tests.as_user('tcgc-a-clerk');
SELECT throws_like(format($$SELECT api.add_card_variant(%s, 'FOIL', 'EN', 'MINT')$$, tests.id('v5')),
                   'IDENTITY_PERMISSION_DENIED:%', 'staff without store.manage or catalog.manage');
SELECT tests.as_user('tcgc-a-admin');
SELECT ok(api.create_role('CARD_CLERK', 'Card clerk', '', ARRAY['store.manage']) > 0, 'a custom role of store.manage');
SELECT ok(api.assign_role(tests.id('clerk'), 'CARD_CLERK', tests.id('a')) > 0, 'given to the clerk');
SELECT tests.as_user('tcgc-a-clerk');
SELECT is(api.add_card_variant(tests.id('v5'), 'FOIL', 'EN', 'MINT'), tests.id('v5'), 'the clerk adds a unit');
SELECT throws_like(format($$SELECT api.add_card(%s, 'MTG', 'LEA', p_tenant_id => %s)$$, tests.id('pb'), tests.id('b')),
                   'IDENTITY_TENANT_MISMATCH:%', 'in its own tenant only');

-- the back office (and a platform admin) name the tenant
SELECT tests.as_service();
SELECT is(api.add_card(tests.id('pb'), 'MTG', 'LEA', p_tenant_id => tests.id('b')), tests.id('pb'), 'the back office names the tenant');
SELECT tests.as_user('tcgc-padmin');
SELECT is(api.add_card_variant(tests.id('vb'), 'NONFOIL', p_grading_company => 'SGC', p_grade => 10, p_grade_label => 'pristine',
                               p_cert_number => 'S-1', p_tenant_id => tests.id('b')), tests.id('vb'), 'so does a platform admin');
SELECT tests.as_user('tcgc-b-admin');
SELECT is(tests.error_of(format($$SELECT api.add_card_variant(%s, 'FOIL', 'EN', 'MINT')$$, tests.id('v3'))),
          format('PT404 STORE_UNKNOWN_VARIANT variant_id: variant %s in tenant %s', tests.id('v3'), tests.id('b')),
          'B''s admin does not reach A''s variants');

SELECT * FROM finish();
ROLLBACK;
