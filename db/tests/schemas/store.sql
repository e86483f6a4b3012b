-- Tests for schemas/store: the reference data (games, the seed's conditions mapped to TCGplayer's, printings per game,
-- each grading company's scale per version, card languages), Beckett's overall grade (store.bgs_overall), the store
-- permission, and the constraints as backstops: with the validation triggers disabled (in this rolled-back
-- transaction) a bad row still fails on a CHECK or a foreign key.
BEGIN;
SELECT plan(39);

SELECT set_eq('SELECT code FROM store.game', ARRAY['MTG', 'POKEMON', 'YUGIOH', 'LORCANA'], 'the games');
-- conditions: the seed's six, each mapped to one of TCGplayer's five
SELECT results_eq('SELECT code, tcgplayer_condition FROM store.condition ORDER BY sort_order',
                  $$VALUES ('MINT', 'NEAR_MINT'), ('NEAR_MINT', 'NEAR_MINT'), ('LIGHTLY_PLAYED', 'LIGHTLY_PLAYED'),
                           ('MODERATELY_PLAYED', 'MODERATELY_PLAYED'), ('HEAVILY_PLAYED', 'HEAVILY_PLAYED'),
                           ('DAMAGED', 'DAMAGED')$$,
                  'the seed''s conditions Mint … Damaged; Mint lists on TCGplayer as Near Mint');
SELECT set_eq('SELECT name FROM store.tcgplayer_condition',
              ARRAY['Near Mint', 'Lightly Played', 'Moderately Played', 'Heavily Played', 'Damaged'], 'TCGplayer''s conditions');
-- printings per game
SELECT set_eq($$SELECT printing FROM store.game_printing WHERE game = 'MTG'$$, ARRAY['NONFOIL', 'FOIL', 'ETCHED'],
              'Magic: nonfoil, foil, etched');
SELECT set_eq($$SELECT printing FROM store.game_printing WHERE game = 'POKEMON'$$,
              ARRAY['NONFOIL', 'HOLOFOIL', 'REVERSE_HOLOFOIL', 'FIRST_EDITION', 'FIRST_EDITION_HOLOFOIL'],
              'Pokémon: normal, holofoil, reverse holofoil, 1st edition (and its holofoil)');
SELECT set_eq($$SELECT printing FROM store.game_printing WHERE game = 'YUGIOH'$$, ARRAY['FIRST_EDITION', 'UNLIMITED', 'LIMITED'],
              'Yu-Gi-Oh!: 1st edition, unlimited, limited');
-- grading scales
SELECT set_eq('SELECT code FROM store.grading_company', ARRAY['PSA', 'BGS', 'SGC', 'CGC', 'HGA'], 'five grading companies');
SELECT set_eq($$SELECT DISTINCT grade FROM store.grading_grade WHERE grading_company = 'PSA'$$,
              $$SELECT g / 2.0 FROM generate_series(2, 18) g UNION SELECT 10$$, 'PSA: 1 to 9 with half grades 1.5 to 8.5, and 10');
SELECT ok(NOT EXISTS (SELECT 1 FROM store.grading_grade WHERE grading_company = 'PSA' AND grade = 9.5), 'PSA has no 9.5');
SELECT set_eq($$SELECT DISTINCT grade FROM store.grading_grade WHERE grading_company = 'BGS'$$,
              $$SELECT g / 2.0 FROM generate_series(2, 20) g$$, 'BGS: 1 to 10 in half steps');
SELECT set_eq($$SELECT label FROM store.grading_grade WHERE grading_company = 'BGS' AND grade = 10$$,
              ARRAY['PRISTINE', 'BLACK_LABEL'], 'BGS 10: Pristine, or Black Label');
SELECT ok((SELECT has_subgrades FROM store.grading_company WHERE code = 'BGS')
          AND NOT EXISTS (SELECT 1 FROM store.grading_company WHERE code <> 'BGS' AND has_subgrades), 'subgrades: BGS only');
SELECT set_eq($$SELECT DISTINCT grade FROM store.grading_grade WHERE grading_company = 'SGC'$$,
              $$SELECT g / 2.0 FROM generate_series(2, 20) g$$, 'SGC: 1 to 10 in half steps');
SELECT set_eq($$SELECT label FROM store.grading_grade WHERE grading_company = 'SGC' AND grade = 10$$,
              ARRAY['PRISTINE', 'GEM_MINT'], 'SGC 10: Pristine or Gem Mint');
SELECT set_eq($$SELECT version FROM store.grading_scale WHERE grading_company = 'CGC'$$, ARRAY[1, 2],
              'CGC: two scale versions (the 2023 relabel)');
SELECT results_eq($$SELECT scale_version, grade, label FROM store.grading_grade WHERE grading_company = 'CGC' AND grade >= 9.5
                    ORDER BY 1, 2, 3$$,
                  $$VALUES (1, 9.5, 'GEM_MINT'), (1, 10.0, 'PRISTINE'), (2, 9.5, 'MINT_PLUS'), (2, 10.0, 'GEM_MINT'),
                           (2, 10.0, 'PRISTINE')$$,
                  'CGC: 9.5 was Gem Mint, from 2023 Mint+; Gem Mint 10 beside Pristine 10');
SELECT set_eq($$SELECT DISTINCT grade FROM store.grading_grade WHERE grading_company = 'HGA'$$,
              $$SELECT g / 2.0 FROM generate_series(2, 20) g$$, 'HGA: 1 to 10 in half steps');
-- languages: a masterdata lookup
SELECT ok((SELECT count(*) FROM masterdata.lookup l JOIN masterdata.lookup_type t ON t.id = l.lookup_type_id
            WHERE t.code = 'CARD_LANGUAGE' AND l.code IN ('EN', 'JA', 'DE', 'FR', 'IT', 'ES', 'PT', 'KO', 'ZHS')) = 9,
          'card languages are CARD_LANGUAGE lookups');

-- Beckett's overall: not an average
SELECT is(store.bgs_overall(9.5, 9.5, 9.5, 8), 9.0, 'BGS 9.5/9.5/9.5/8: 9 (one above the lowest)');
SELECT is(store.bgs_overall(9.5, 9, 9.5, 8), 8.5, 'BGS 9.5/9/9.5/8: 8.5 (the second lowest holds it at half a point)');
SELECT is(store.bgs_overall(10, 10, 10, 6), 7.0, 'BGS 10/10/10/6: 7 (average 9, capped at the lowest + 1)');
SELECT is(store.bgs_overall(8, 8, 10, 10), 8.0, 'BGS 8/8/10/10: 8 (two lowest alike: not raised)');
SELECT is(store.bgs_overall(9, 9.5, 9.5, 9.5), 9.5, 'BGS 9/9.5/9.5/9.5: Gem Mint 9.5');
SELECT is(store.bgs_overall(8.5, 10, 10, 10), 9.0, 'BGS 8.5/10/10/10: 9 (Gem Mint needs every subgrade at least 9)');
SELECT is(store.bgs_overall(9.5, 9.5, 10, 10), 10.0, 'BGS 9.5/9.5/10/10: Pristine 10 (mean 9.75)');
SELECT is(store.bgs_overall(9, 10, 10, 10), 9.5, 'BGS 9/10/10/10: 9.5 (a 9 keeps it from Pristine)');
SELECT is(store.bgs_overall(10, 10, 10, 10), 10.0, 'BGS four 10s: 10 (Black Label)');
SELECT is(store.bgs_overall(9.5, 9.5, 9.5, 9.25), NULL, 'a subgrade off the half-point scale: NULL');
SELECT is(store.bgs_overall(9.5, 9.5, 9.5, NULL), NULL, 'three subgrades: NULL');

-- the store's permission, grantable by a tenant
SELECT ok((SELECT tenant_grantable FROM identity.permission WHERE code = 'store.manage'), 'store.manage is tenant-grantable');
SELECT set_eq($$SELECT r.code FROM identity.role r JOIN identity.role_permission rp ON rp.role_id = r.id
                 JOIN identity.permission p ON p.id = rp.permission_id WHERE p.code = 'store.manage'$$,
              ARRAY['PLATFORM_ADMIN', 'TENANT_ADMIN'], 'held by the platform and tenant admins');

-- backstops: the validation triggers off, the constraints still refuse
SELECT tests.put('a', identity.create_tenant('tcgs-a', 'A'));
UPDATE identity.tenant SET currency = 'USD' WHERE code = 'tcgs-a';
WITH x AS (INSERT INTO catalog.product (tenant_id, title) VALUES (tests.id('a'), 'Lotus') RETURNING id) SELECT tests.put('p', id) FROM x;
WITH x AS (INSERT INTO catalog.variant (tenant_id, product_id, sku, price, max_quantity)
           VALUES (tests.id('a'), tests.id('p'), 'S-1', 1, 1) RETURNING id) SELECT tests.put('v', id) FROM x;
ALTER TABLE store.card DISABLE TRIGGER card_validate;
ALTER TABLE store.card_variant DISABLE TRIGGER card_variant_validate;
SELECT throws_ok(format($$INSERT INTO store.card (product_id, tenant_id, game, set_code, cmc) VALUES (%s, %s, 'MTG', 'LEA', -1)$$,
                        tests.id('p'), tests.id('a')), '23514', NULL, 'backstop: cmc >= 0');
SELECT throws_ok(format($$INSERT INTO store.card (product_id, tenant_id, game, set_code, color_identity) VALUES (%s, %s, 'MTG', 'LEA', '{W,X}')$$,
                        tests.id('p'), tests.id('a')), '23514', NULL, 'backstop: color identity');
SELECT throws_ok(format($$INSERT INTO store.card (product_id, tenant_id, game, set_code, legalities) VALUES (%s, %s, 'MTG', 'LEA', '{"modern": "ok"}')$$,
                        tests.id('p'), tests.id('a')), '23514', NULL, 'backstop: legalities');
INSERT INTO store.card (product_id, tenant_id, game, set_code) VALUES (tests.id('p'), tests.id('a'), 'MTG', 'LEA');
SELECT throws_ok(format($$INSERT INTO store.card_variant (variant_id, tenant_id, product_id, game, printing, language, grading_company, scale_version, grade, grade_label, cert_number)
                          VALUES (%s, %s, %s, 'MTG', 'FOIL', 'EN', 'PSA', 1, 9.5, 'MINT_PLUS', 'X1')$$,
                        tests.id('v'), tests.id('a'), tests.id('p')), '23503', NULL, 'backstop: PSA 9.5 is no grade of the scale');
SELECT throws_ok(format($$INSERT INTO store.card_variant (variant_id, tenant_id, product_id, game, printing, language, grading_company, scale_version, grade, grade_label)
                          VALUES (%s, %s, %s, 'MTG', 'FOIL', 'EN', 'PSA', 1, 9, 'MINT')$$,
                        tests.id('v'), tests.id('a'), tests.id('p')), '23514', NULL, 'backstop: a certificate when graded');
SELECT throws_ok(format($$INSERT INTO store.card_variant (variant_id, tenant_id, product_id, game, printing, language, grading_company, scale_version, grade, grade_label, cert_number, centering, corners, edges, surface)
                          VALUES (%s, %s, %s, 'MTG', 'FOIL', 'EN', 'BGS', 1, 9, 'MINT', 'X1', 9.5, 9, 9.5, 8)$$,
                        tests.id('v'), tests.id('a'), tests.id('p')), '23514', NULL, 'backstop: the BGS overall of the subgrades');
SELECT throws_ok(format($$INSERT INTO store.card_variant (variant_id, tenant_id, product_id, game, condition, printing, language, serial_number)
                          VALUES (%s, %s, %s, 'MTG', 'MINT', 'FOIL', 'EN', '5/4')$$,
                        tests.id('v'), tests.id('a'), tests.id('p')), '23514', NULL, 'backstop: serial n <= m');
SELECT throws_ok(format($$INSERT INTO store.card_variant (variant_id, tenant_id, product_id, game, condition, printing, language)
                          VALUES (%s, %s, %s, 'MTG', 'MINT', 'HOLOFOIL', 'EN')$$,
                        tests.id('v'), tests.id('a'), tests.id('p')), '23503', NULL, 'backstop: printings per game');

SELECT * FROM finish();
ROLLBACK;
