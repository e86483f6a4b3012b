-- Verify mercato:functions/api/store_create on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, '
                    'core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)'::regprocedure,
                    'api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text, '
                    'core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, '
                    'numeric, core.name_text, bigint)'::regprocedure]) AS f;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, '
                    'core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)'::regprocedure,
                    'api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text, '
                    'core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, '
                    'numeric, core.name_text, bigint)'::regprocedure]) AS f;

ROLLBACK;
