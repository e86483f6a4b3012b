-- Verify mercato:functions/api/store on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(g.r, g.f, 'EXECUTE')::int
  FROM (SELECT r, f FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
               unnest(ARRAY['api.add_card(bigint, core.name_text, core.name_text, core.name_text, core.name_text, '
                            'core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)'::regprocedure,
                            'api.add_card_variant(bigint, core.name_text, core.name_text, core.name_text, core.name_text, '
                            'numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, '
                            'core.name_text, bigint)'::regprocedure]) AS f
        UNION ALL
        SELECT r, f FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
               unnest(ARRAY['api.bgs_overall(numeric, numeric, numeric, numeric)'::regprocedure,
                            'api.grading_grades(core.name_text)'::regprocedure,
                            'api.card_conditions()'::regprocedure]) AS f
        UNION ALL
        SELECT r, f FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
               unnest(ARRAY['api.store_cards(bigint, bigint)'::regprocedure,
                            'api.store_card_variants(bigint, bigint)'::regprocedure]) AS f) AS g;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.add_card(bigint, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, '
                    'numeric, core.text_list, core.json_doc, core.json_doc, bigint)'::regprocedure,
                    'api.add_card_variant(bigint, core.name_text, core.name_text, core.name_text, core.name_text, numeric, '
                    'core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, '
                    'bigint)'::regprocedure, 'api.store_cards(bigint, bigint)'::regprocedure,
                    'api.store_card_variants(bigint, bigint)'::regprocedure]) AS f;

ROLLBACK;
