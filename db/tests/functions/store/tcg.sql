-- Tests for functions/store/tcg: every TCG rule refused by the validation triggers with STORE_INVALID_CARD_ATTRIBUTE
-- (PT400) and a detail naming the field and the reason, whoever writes (these inserts are the owner's, no function in
-- between); the duplicates (STORE_CARD_UNIT_EXISTS); the slab's max_quantity 1 on both sides.
BEGIN;
SELECT plan(62);

-- two tenants in USD; tenant A: a Magic card with eight variants (1-6 one-of-a-kind), a Pokémon card with one;
-- tenant B: a card with one variant
SELECT tests.put('a', identity.create_tenant('tcg-a', 'A')), tests.put('b', identity.create_tenant('tcg-b', 'B'));
UPDATE identity.tenant SET currency = 'USD' WHERE code IN ('tcg-a', 'tcg-b');
WITH x AS (INSERT INTO catalog.product (tenant_id, title)
           VALUES (tests.id('a'), 'Black Lotus'), (tests.id('a'), 'Charizard'), (tests.id('b'), 'Mox Pearl')
           RETURNING id, title)
SELECT tests.put(CASE title WHEN 'Black Lotus' THEN 'p' WHEN 'Charizard' THEN 'pk' ELSE 'pb' END, id) FROM x;
WITH x AS (INSERT INTO catalog.variant (tenant_id, product_id, sku, option1, price, max_quantity)
           SELECT tests.id('a'), tests.id('p'), 'LEA-' || n, 'LEA-' || n, 100, CASE WHEN n <= 6 THEN 1 END FROM generate_series(1, 8) n
           RETURNING id, sku)
SELECT tests.put('v' || split_part(sku, '-', 2), id) FROM x;
WITH x AS (INSERT INTO catalog.variant (tenant_id, product_id, sku, price, max_quantity)
           VALUES (tests.id('a'), tests.id('pk'), 'BS-4', 50, 1), (tests.id('b'), tests.id('pb'), 'LEA-X', 100, 1)
           RETURNING id, sku)
SELECT tests.put(CASE sku WHEN 'BS-4' THEN 'vk' ELSE 'vb' END, id) FROM x;

CREATE TEMP TABLE sql_of (k text PRIMARY KEY, q text);
-- a card of product p of tenant A with the given columns; a variant v<n> of it
INSERT INTO sql_of VALUES
('card', 'INSERT INTO store.card (product_id, tenant_id, game, set_code, cmc, color_identity, legalities) '
         'VALUES (%s, %s, %s, %s, %s, %s, %s)'),
('variant', 'INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language, grading_company, '
            'scale_version, grade, grade_label, cert_number, centering, corners, edges, surface, serial_number) '
            'VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)');

-- the Magic card and the Pokémon card
SELECT lives_ok(format((SELECT q FROM sql_of WHERE k = 'card'), tests.id('p'), tests.id('a'), '''MTG''', '''LEA''', 0,
                       '''{G,U,W,U}''', '''{"vintage": "restricted", "legacy": "banned", "modern": "not_legal"}'''),
                'a Magic card with cmc 0, a color identity and legalities');
SELECT is((SELECT color_identity FROM store.card WHERE product_id = tests.id('p')), ARRAY['W', 'U', 'G'],
          'the color identity is kept in WUBRG order, each color once');
SELECT lives_ok(format((SELECT q FROM sql_of WHERE k = 'card'), tests.id('pk'), tests.id('a'), '''POKEMON''', '''BS''',
                       'NULL', 'NULL', '''{"unlimited": "legal"}'''), 'a Pokémon card');

-- card rules ------------------------------------------------------------------------------------------------------------
SELECT is(tests.error_of(format('UPDATE store.card SET cmc = -1 WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE cmc: must be 0 or more, not -1', 'cmc >= 0');
SELECT is(tests.error_of(format('UPDATE store.card SET cmc = 3 WHERE product_id = %s', tests.id('pk'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE cmc: only MTG cards have a mana value, not POKEMON cards', 'cmc is Magic''s');
SELECT is(tests.error_of(format('UPDATE store.card SET color_identity = ''{W,X}'' WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE color_identity: X is not a color (W, U, B, R, G)',
          'color identity within {W,U,B,R,G}');
SELECT is(tests.error_of(format('UPDATE store.card SET color_identity = ''{}'' WHERE product_id = %s', tests.id('p'))),
          NULL, 'an empty color identity: colorless');
SELECT is(tests.error_of(format('UPDATE store.card SET legalities = ''{"modern": "allowed"}'' WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE legalities: modern is "allowed"; a format is legal, not_legal, restricted or banned',
          'a legality value outside legal / not_legal / restricted / banned');
SELECT is(tests.error_of(format('UPDATE store.card SET legalities = ''{"brawl": "legal", "oathbreaker": "banned"}'' WHERE product_id = %s', tests.id('p'))),
          NULL, 'formats are an open map: any new format name');
SELECT is(tests.error_of(format('UPDATE store.card SET legalities = ''["legal"]'' WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE legalities: a JSON object of format -> legal, not_legal, restricted or banned',
          'legalities is an object');
SELECT is(tests.error_of(format('UPDATE store.card SET legalities = ''{"Mod ern": "legal"}'' WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE legalities: a format is 1 to 32 lower-case letters, digits or _, not Mod ern',
          'a format name is a lower-case key');
SELECT is(tests.error_of(format('UPDATE store.card SET game = ''MAGIC'' WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE game: unknown game MAGIC (MTG, POKEMON, YUGIOH, LORCANA)', 'games from the lookup');
SELECT is(tests.error_of(format('UPDATE store.card SET set_code = ''L E A'' WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE set_code: 1 to 16 letters, digits, - or _, not L E A', 'a set code');
SELECT is(tests.error_of(format('INSERT INTO store.card (product_id, tenant_id, game, set_code) VALUES (%s, %s, ''MTG'', ''LEA'')',
                                tests.id('pb'), tests.id('a'))),
          format('PT404 STORE_UNKNOWN_PRODUCT product_id: product %s in tenant %s', tests.id('pb'), tests.id('a')),
          'another tenant''s product is as if absent');

-- ungraded units ---------------------------------------------------------------------------------------------------------
SELECT lives_ok(format('INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language) '
                       'VALUES (%s, %s, ''NEAR_MINT'', ''FOIL'', ''EN'')', tests.id('v7'), tests.id('a')),
                'an ungraded unit: NEAR_MINT, FOIL, EN');
SELECT results_eq(format('SELECT product_id, game FROM store.card_variant WHERE variant_id = %s', tests.id('v7')),
                  format('VALUES (%s::bigint, ''MTG''::text)', tests.id('p')), 'its product and game filled in from the catalog and the card');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language) '
                                'VALUES (%s, %s, ''NEAR_MINT'', ''FOIL'', ''EN'')', tests.id('v8'), tests.id('a'))),
          format('PT409 STORE_CARD_UNIT_EXISTS condition: product %s in NEAR_MINT, FOIL, EN is already variant %s',
                 tests.id('p'), tests.id('v7')), 'product × condition × printing × language once per tenant');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language) '
                                'VALUES (%s, %s, ''NEAR_MINT'', ''FOIL'', ''JA'')', tests.id('v8'), tests.id('a'))),
          NULL, 'the same in another language is another unit');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET condition = ''PLAYED'' WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE condition: unknown condition PLAYED (MINT, NEAR_MINT, LIGHTLY_PLAYED, MODERATELY_PLAYED, HEAVILY_PLAYED, DAMAGED)',
          'the seed''s conditions only');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET condition = NULL WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE condition: required for an ungraded card', 'an ungraded unit has a condition');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET printing = ''HOLOFOIL'' WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE printing: MTG cards have no printing HOLOFOIL (NONFOIL, FOIL, ETCHED)',
          'printings per game: no holofoil in Magic');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language) '
                                'VALUES (%s, %s, ''MINT'', ''REVERSE_HOLOFOIL'', ''EN'')', tests.id('vk'), tests.id('a'))),
          NULL, 'a Pokémon reverse holofoil');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET printing = ''ETCHED'' WHERE variant_id = %s', tests.id('vk'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE printing: POKEMON cards have no printing ETCHED (NONFOIL, HOLOFOIL, REVERSE_HOLOFOIL, FIRST_EDITION, FIRST_EDITION_HOLOFOIL)',
          'no etched Pokémon');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET language = ''XX'' WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE language: XX is not a card language (api.lookups(''CARD_LANGUAGE'') lists them)',
          'languages from the CARD_LANGUAGE lookup');
UPDATE masterdata.lookup SET is_active = false
 WHERE code = 'PH' AND lookup_type_id = (SELECT id FROM masterdata.lookup_type WHERE code = 'CARD_LANGUAGE');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET language = ''PH'' WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE language: PH is not a card language (api.lookups(''CARD_LANGUAGE'') lists them)',
          'a deactivated language is refused');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET serial_number = ''101/100'' WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE serial_number: n/m needs 1 <= n <= m, not 101/100', 'serial n/m with n <= m');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET serial_number = ''12 of 100'' WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE serial_number: the form is n/m (e.g. 001/250), not 12 of 100', 'serial of the form n/m');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET serial_number = ''001/100'' WHERE variant_id = %s', tests.id('v8'))),
          NULL, 'serial 001/100');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET grade = 9 WHERE variant_id = %s', tests.id('v8'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: only a graded card has one (grading_company is missing)',
          'no grade without a grading company');

-- slabs -----------------------------------------------------------------------------------------------------------------
-- PSA: 1 to 10, half grades 1.5 to 8.5, no 9.5, nothing between
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''PSA'', 9.25, ''P1'')', tests.id('v1'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: PSA has no grade 9.25 (1 to 10; half grades 1.5 to 8.5 only)',
          'PSA: no 9.25');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''PSA'', 9.5, ''P1'')', tests.id('v1'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: PSA has no grade 9.5 (1 to 10; half grades 1.5 to 8.5 only)',
          'PSA: no 9.5');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''PSA'', 8.5, ''P1'')', tests.id('v1'), tests.id('a'))),
          NULL, 'PSA 8.5, a half grade');
SELECT results_eq(format('SELECT scale_version, grade_label, graded FROM store.card_variant WHERE variant_id = %s', tests.id('v1')),
                  $$VALUES (1, 'NM_MT_PLUS'::text, true)$$, 'its scale version and label filled in');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''PSA'', 10, ''P1'')', tests.id('v2'), tests.id('a'))),
          format('PT409 STORE_CARD_UNIT_EXISTS cert_number: PSA P1 is already variant %s', tests.id('v1')),
          'a slab is unique per (tenant, grading company, certificate)');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''PSA'', 10)', tests.id('v2'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE cert_number: required when graded', 'a certificate number when graded');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''MINT'', ''NONFOIL'', ''EN'', ''PSA'', 10, ''P2'')', tests.id('v2'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE condition: a graded card has no condition, its grade says it', 'a slab has no condition');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''ACE'', 10, ''P2'')', tests.id('v2'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grading_company: unknown grading company ACE (BGS, CGC, HGA, PSA, SGC)',
          'the five grading companies');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number, centering, corners, edges, surface) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''PSA'', 10, ''P2'', 10, 10, 10, 10)', tests.id('v2'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE centering: only BGS slabs carry subgrades, not PSA', 'subgrades are BGS''s');
-- SGC: half grades up to 9.5 and two 10s
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''SGC'', 10, ''S1'')', tests.id('v2'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade_label: SGC 10 (scale 1) is PRISTINE or GEM_MINT: say which',
          'SGC 10 is Pristine or Gem Mint: the label is required');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, grade_label, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''SGC'', 10, ''PRISTINE'', ''S1'')', tests.id('v2'), tests.id('a'))),
          NULL, 'SGC 10 Pristine');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''SGC'', 9.75, ''S2'')', tests.id('v3'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: SGC has no grade 9.75 (1 to 10 in steps of 0.5)', 'SGC: no 9.75');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''SGC'', 0.5, ''S2'')', tests.id('v3'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: SGC has no grade 0.5 (1 to 10 in steps of 0.5)', 'SGC: nothing under 1');
-- CGC: the 2023 relabel
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, scale_version, grade, grade_label, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''CGC'', 1, 10, ''GEM_MINT'', ''C1'')', tests.id('v3'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade_label: CGC 10 (scale 1) is PRISTINE, not GEM_MINT',
          'CGC before 2023: no Gem Mint 10');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, scale_version, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''CGC'', 1, 9.5, ''C1'')', tests.id('v3'), tests.id('a'))),
          NULL, 'CGC scale 1: 9.5');
SELECT is((SELECT grade_label FROM store.card_variant WHERE variant_id = tests.id('v3')), 'GEM_MINT', 'was Gem Mint');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''CGC'', 9.5, ''C2'')', tests.id('v4'), tests.id('a'))),
          NULL, 'CGC without a version: the latest (2023)');
SELECT results_eq(format('SELECT scale_version, grade_label FROM store.card_variant WHERE variant_id = %s', tests.id('v4')),
                  $$VALUES (2, 'MINT_PLUS'::text)$$, 'where 9.5 is Mint+');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET scale_version = 3 WHERE variant_id = %s', tests.id('v4'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE scale_version: CGC has no scale version 3 (1, 2)', 'CGC has versions 1 and 2');
-- BGS: subgrades and Beckett's overall
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number, centering, corners, edges, surface) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''BGS'', 9, ''B1'', 9.5, 9, 9.5, 8)', tests.id('v5'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade: BGS subgrades 9.5/9/9.5/8 (centering/corners/edges/surface) make an overall 8.5, not 9',
          'BGS: the overall is Beckett''s for the subgrades, not their average (9)');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number, centering, corners, edges) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''BGS'', 9, ''B1'', 9.5, 9, 9.5)', tests.id('v5'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE surface: required with the other subgrades (centering, corners, edges, surface: all four or none)',
          'BGS: four subgrades or none');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number, centering, corners, edges, surface) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''BGS'', 9, ''B1'', 9.5, 9.7, 9.5, 8)', tests.id('v5'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE corners: a BGS subgrade is 1 to 10 in steps of 0.5, not 9.7', 'BGS: subgrades in half points');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number, centering, corners, edges, surface) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''BGS'', 8.5, ''B1'', 9.5, 9, 9.5, 8)', tests.id('v5'), tests.id('a'))),
          NULL, 'BGS 8.5 with subgrades 9.5/9/9.5/8');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, grade_label, cert_number) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''BGS'', 10, ''BLACK_LABEL'', ''B2'')', tests.id('v6'), tests.id('a'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade_label: a BGS Black Label needs its four subgrades (centering, corners, edges, surface), all 10',
          'BGS Black Label: only with four subgrades of 10');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, printing, language, grading_company, grade, cert_number, centering, corners, edges, surface) '
                                'VALUES (%s, %s, ''NONFOIL'', ''EN'', ''BGS'', 10, ''B2'', 10, 10, 10, 10)', tests.id('v6'), tests.id('a'))),
          NULL, 'BGS 10 with four 10s');
SELECT is((SELECT grade_label FROM store.card_variant WHERE variant_id = tests.id('v6')), 'BLACK_LABEL', 'is a Black Label');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET grade_label = ''PRISTINE'' WHERE variant_id = %s', tests.id('v6'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE grade_label: four subgrades of 10 make a BLACK_LABEL, not PRISTINE',
          'four 10s are never a plain Pristine');

-- one unit: the slab's catalog variant holds at most one ---------------------------------------------------------------
SELECT is(tests.error_of(format('UPDATE store.card_variant SET condition = NULL, grading_company = ''HGA'', grade = 9.5, cert_number = ''H1'' WHERE variant_id = %s', tests.id('v8'))),
          format('PT400 STORE_INVALID_CARD_ATTRIBUTE max_quantity: a graded slab is one unit: variant %s needs max_quantity 1, not unlimited',
                 tests.id('v8')), 'a slab''s catalog variant must hold at most one');
SELECT is(tests.error_of(format('UPDATE catalog.variant SET max_quantity = 2 WHERE id = %s', tests.id('v1'))),
          format('PT400 STORE_INVALID_CARD_ATTRIBUTE max_quantity: variant %s is a graded slab, one unit: its max_quantity stays 1',
                 tests.id('v1')), 'a slab''s catalog variant keeps max_quantity 1');
SELECT is(tests.error_of(format('UPDATE catalog.variant SET max_quantity = 4 WHERE id = %s', tests.id('v7'))),
          NULL, 'an ungraded variant''s max_quantity is free');
SELECT is(tests.error_of(format('UPDATE store.card_variant SET condition = NULL, grading_company = ''HGA'', grade = 9.5, cert_number = ''H1'' WHERE variant_id = %s', tests.id('v7'))),
          format('PT400 STORE_INVALID_CARD_ATTRIBUTE max_quantity: a graded slab is one unit: variant %s needs max_quantity 1, not 4',
                 tests.id('v7')), 'a variant of several units cannot become a slab');
SELECT is(tests.error_of(format('UPDATE store.card SET game = ''POKEMON'' WHERE product_id = %s', tests.id('p'))),
          'PT400 STORE_INVALID_CARD_ATTRIBUTE game: the card has variants, its game stays MTG', 'a card''s game stays once it has variants');
SELECT is(tests.error_of(format('INSERT INTO store.card_variant (variant_id, tenant_id, condition, printing, language) '
                                'VALUES (%s, %s, ''MINT'', ''NONFOIL'', ''EN'')', tests.id('vb'), tests.id('a'))),
          format('PT404 STORE_UNKNOWN_VARIANT variant_id: variant %s in tenant %s', tests.id('vb'), tests.id('a')),
          'another tenant''s variant is as if absent');

SELECT * FROM finish();
ROLLBACK;
