-- Tests for functions/store/create: a card and its units or slabs in one call through the api wrappers, as the callers
-- PostgREST would switch to: the catalog product and variant are created through the catalog's functions, a slab's
-- variant gets max_quantity 1, and a refused attribute raises and leaves no catalog row behind; the permissions (the
-- catalog's catalog.manage is needed as well), another tenant, the back office naming the tenant.
BEGIN;
SELECT plan(16);

SELECT tests.put('a', tests.shop('tcgn-a')), tests.put('b', tests.shop('tcgn-b'));
SELECT tests.put('staff', (SELECT id FROM identity.user_account WHERE auth_subject = 'tcgn-a-staff'));

SELECT tests.as_user('tcgn-a-admin');
SELECT tests.put('p', api.create_card('{"title": "Black Lotus", "vendor": "Wizards"}', 'mtg', 'LEA', '232', 'Rare',
                                      p_color_identity => ARRAY['u', 'w']));
SELECT results_eq(format($$SELECT title, status, game, color_identity FROM api.store_cards() c
                           JOIN catalog.product p ON p.id = c.product_id WHERE c.product_id = %s$$, tests.id('p')),
                  $$VALUES ('Black Lotus'::text, 'DRAFT'::text, 'MTG'::text, ARRAY['W', 'U'])$$,
                  'api.create_card: a DRAFT catalog product and its card in one call');
SELECT is(tests.error_of($$SELECT api.create_card('{"title": "Mox Ruby"}', 'MTG', 'LEA', p_cmc => -1)$$),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE cmc: must be 0 or more, not -1', 'a refused attribute raises');
SELECT is((SELECT count(*) FROM catalog.product WHERE title = 'Mox Ruby'), 0::bigint,
          'and leaves no catalog product behind');
SELECT is(tests.error_of($$SELECT api.create_card('{"title": "Mox Jet", "colour": "black"}', 'MTG', 'LEA')$$) LIKE 'PT400 CATALOG_INVALID_INPUT %',
          true, 'the catalog''s own refusal (an unknown field) passes through');

-- a graded slab: its catalog variant is one unit
SELECT tests.put('slab', api.create_card_variant(tests.id('p'), '{"sku": "LEA-PSA10", "option1": "LEA-PSA10", "price": "25000.00"}', 'nonfoil',
                                                 p_grading_company => 'psa', p_grade => 10, p_cert_number => '48151623'));
SELECT results_eq(format($$SELECT v.sku, v.max_quantity, c.graded, c.grading_company, c.grade_label
                             FROM catalog.variant v JOIN api.store_card_variants() c ON c.variant_id = v.id WHERE v.id = %s$$,
                         tests.id('slab')),
                  $$VALUES ('LEA-PSA10'::text, 1, true, 'PSA'::text, 'GEM_MINT'::text)$$,
                  'api.create_card_variant: a slab''s catalog variant gets max_quantity 1');
SELECT is(tests.error_of(format($$SELECT api.create_card_variant(%s, '{"sku": "LEA-PSA925", "option1": "LEA-PSA925", "price": 1}', 'NONFOIL',
                                  p_grading_company => 'PSA', p_grade => 9.25, p_cert_number => '2')$$, tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: PSA has no grade 9.25 (1 to 10; half grades 1.5 to 8.5 only)',
          'a grade off the scale raises');
SELECT matches(tests.error_of(format($$SELECT api.create_card_variant(%s, '{"sku": "LEA-CGC", "option1": "LEA-CGC", "price": 1, "max_quantity": 2}',
                                  'NONFOIL', p_grading_company => 'CGC', p_grade => 9, p_cert_number => '3')$$, tests.id('p'))),
               '^PT400 STORE_INVALID_CARD_ATTRIBUTE max_quantity: a graded slab is one unit: variant \d+ needs max_quantity 1, not 2$',
               'a slab whose document names another max_quantity is refused');
SELECT is((SELECT count(*) FROM catalog.variant WHERE sku IN ('LEA-PSA925', 'LEA-CGC')), 0::bigint,
          'and neither leaves a catalog variant behind');
SELECT is(tests.error_of(format($$SELECT api.create_card_variant(%s, '{"sku": "LEA-DUP", "option1": "LEA-DUP", "price": 1}', 'NONFOIL',
                                  p_grading_company => 'PSA', p_grade => 9, p_cert_number => '48151623')$$, tests.id('p'))),
          format('PT409 STORE_CARD_UNIT_EXISTS cert_number: PSA 48151623 is already variant %s', tests.id('slab')),
          'a second slab of one certificate is refused');

-- an ungraded unit: no max_quantity unless the document names one
SELECT tests.put('nm', api.create_card_variant(tests.id('p'), '{"sku": "LEA-NM", "price": "9000", "option1": "Near Mint"}',
                                               'FOIL', 'en', 'near_mint'));
SELECT results_eq(format($$SELECT v.max_quantity, c.condition FROM catalog.variant v
                             JOIN api.store_card_variants() c ON c.variant_id = v.id WHERE v.id = %s$$, tests.id('nm')),
                  $$VALUES (NULL::integer, 'NEAR_MINT'::text)$$, 'an ungraded unit keeps the document''s max_quantity (none)');
SELECT is(tests.error_of($$SELECT api.create_card_variant(-1, '{"sku": "X-1", "price": 1}', 'FOIL', 'EN', 'MINT')$$),
          format('PT404 STORE_UNKNOWN_PRODUCT product_id: card -1 in tenant %s', tests.id('a')),
          'the product must be a card of the tenant');

-- permissions: staff without any; a role of store.manage alone does not create catalog rows
SELECT tests.as_user('tcgn-a-staff');
SELECT throws_like($$SELECT api.create_card('{"title": "Clerk card"}', 'MTG', 'LEA')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'staff without a permission');
SELECT tests.as_user('tcgn-a-admin');
SELECT ok(api.create_role('CARD_ONLY', 'Cards only', '', ARRAY['store.manage']) > 0
          AND api.assign_role(tests.id('staff'), 'CARD_ONLY', tests.id('a')) > 0,
          'a custom role of store.manage only, given to the staff user');
SELECT tests.as_user('tcgn-a-staff');
SELECT throws_like($$SELECT api.create_card('{"title": "Clerk card"}', 'MTG', 'LEA')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'store.manage alone does not create catalog products (catalog.manage does)');
SELECT tests.as_user('tcgn-b-admin');
SELECT is(tests.error_of(format($$SELECT api.create_card_variant(%s, '{"sku": "B-1", "price": 1}', 'FOIL', 'EN', 'MINT')$$,
                                tests.id('p'))),
          format('PT404 STORE_UNKNOWN_PRODUCT product_id: card %s in tenant %s', tests.id('p'), tests.id('b')),
          'another tenant''s card is as if absent');

-- the back office names the tenant
SELECT tests.as_service();
SELECT tests.put('pb', api.create_card('{"title": "Charizard"}', 'POKEMON', 'BS', p_tenant_id => tests.id('b')));
SELECT ok(api.create_card_variant(tests.id('pb'), '{"sku": "BS-4-BGS", "price": 500}', 'HOLOFOIL',
                                  p_grading_company => 'BGS', p_grade => 9.5, p_cert_number => 'B-9',
                                  p_tenant_id => tests.id('b')) > 0, 'the back office creates a card and a slab in a tenant');

SELECT * FROM finish();
ROLLBACK;
