-- Tests for functions/api/store: who may call each store api function (grants), the reference data functions, the BGS
-- calculator for anyone, and that each wrapper carries its module function's comment.
BEGIN;
SELECT plan(12);

SELECT ok(has_function_privilege('mercato_user', 'api.add_card(bigint, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.add_card(bigint, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)', 'EXECUTE'),
          'api.add_card: users (the permission is checked inside), not anonymous callers');
SELECT ok(has_function_privilege('mercato_service', 'api.add_card_variant(bigint, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.add_card_variant(bigint, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)', 'EXECUTE'),
          'api.add_card_variant: the back office, not anonymous callers');
SELECT ok(obj_description('api.add_card_variant(bigint, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)'::regprocedure, 'pg_proc')
          LIKE '%Store staff (store.manage or catalog.manage in the tenant); back office.%', 'the wrapper says who may call it');

SELECT tests.as_anon();
SELECT is(api.bgs_overall(9.5, 9.5, 9.5, 8), 9.0, 'anyone computes a BGS overall');
SELECT is(api.bgs_overall(10, 10, 10, 10), 10.0, 'four 10s');
SELECT is((SELECT count(*) FROM api.grading_grades('psa') WHERE grade = 9.5), 0::bigint, 'api.grading_grades: PSA has no 9.5');
SELECT results_eq($$SELECT scale_version, label FROM api.grading_grades('CGC') WHERE grade = 9.5 ORDER BY 1$$,
                  $$VALUES (1, 'GEM_MINT'::text), (2, 'MINT_PLUS'::text)$$, 'CGC 9.5 before and after 2023');
SELECT is((SELECT count(DISTINCT grading_company) FROM api.grading_grades()), 5::bigint, 'all five companies');
SELECT ok((SELECT bool_and(has_subgrades = (grading_company = 'BGS')) FROM api.grading_grades()), 'subgrades: BGS');
SELECT results_eq('SELECT code, tcgplayer_condition, tcgplayer_name FROM api.card_conditions() LIMIT 2',
                  $$VALUES ('MINT'::text, 'NEAR_MINT'::text, 'Near Mint'::text), ('NEAR_MINT', 'NEAR_MINT', 'Near Mint')$$,
                  'api.card_conditions: the mapping to TCGplayer');
SELECT is((SELECT count(*) FROM api.lookups('CARD_LANGUAGE')), 12::bigint, 'the card languages through api.lookups');
SELECT throws_ok('SELECT api.add_card(1, ''MTG'', ''LEA'')', '42501', NULL, 'anonymous callers add no card');

SELECT * FROM finish();
ROLLBACK;
