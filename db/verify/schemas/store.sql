-- Verify mercato:schemas/store on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing column or relation, a failed
-- cast) or wrongly granted (division by zero).

BEGIN;

SELECT code, name, sort_order FROM store.game WHERE false;
SELECT code, name, abbreviation, sort_order FROM store.tcgplayer_condition WHERE false;
SELECT code, name, abbreviation, tcgplayer_condition, sort_order FROM store.condition WHERE false;
SELECT code, name FROM store.printing WHERE false;
SELECT game, printing, sort_order FROM store.game_printing WHERE false;
SELECT code, name, has_subgrades FROM store.grading_company WHERE false;
SELECT grading_company, version, effective_from, note FROM store.grading_scale WHERE false;
SELECT grading_company, scale_version, grade, label, name FROM store.grading_grade WHERE false;
SELECT product_id, tenant_id, game, set_code, set_name, collector_number, rarity, cmc, color_identity, legalities, metadata,
       created_at, updated_at
  FROM store.card WHERE false;
SELECT variant_id, tenant_id, product_id, game, condition, printing, language, grading_company, scale_version, grade,
       grade_label, cert_number, centering, corners, edges, surface, serial_number, graded, created_at, updated_at
  FROM store.card_variant WHERE false;
SELECT 'store.bgs_overall(numeric, numeric, numeric, numeric)'::regprocedure;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = g.rel AND k.conname = g.name)::int
  FROM (VALUES ('store.game'::regclass, 'game_code_check'),
               ('store.tcgplayer_condition'::regclass, 'tcgplayer_condition_code_check'),
               ('store.condition'::regclass, 'condition_code_check'),
               ('store.condition'::regclass, 'condition_tcgplayer_condition_fkey'),
               ('store.printing'::regclass, 'printing_code_check'),
               ('store.game_printing'::regclass, 'game_printing_game_fkey'),
               ('store.game_printing'::regclass, 'game_printing_printing_fkey'),
               ('store.grading_company'::regclass, 'grading_company_code_check'),
               ('store.grading_scale'::regclass, 'grading_scale_grading_company_fkey'),
               ('store.grading_scale'::regclass, 'grading_scale_version_check'),
               ('store.grading_grade'::regclass, 'grading_grade_grade_check'),
               ('store.grading_grade'::regclass, 'grading_grade_label_check'),
               ('store.grading_grade'::regclass, 'grading_grade_grading_company_scale_version_fkey'),
               ('store.card'::regclass, 'card_tenant_id_fkey'), ('store.card'::regclass, 'card_game_fkey'),
               ('store.card'::regclass, 'card_set_code_check'), ('store.card'::regclass, 'card_set_name_check'),
               ('store.card'::regclass, 'card_collector_number_check'), ('store.card'::regclass, 'card_rarity_check'),
               ('store.card'::regclass, 'card_cmc_check'), ('store.card'::regclass, 'card_color_identity_check'),
               ('store.card'::regclass, 'card_legalities_check'), ('store.card'::regclass, 'card_metadata_check'),
               ('store.card'::regclass, 'card_product_id_tenant_id_game_key'),
               ('store.card'::regclass, 'card_product_id_fkey'), ('store.card'::regclass, 'card_game_check'),
               ('store.card_variant'::regclass, 'card_variant_tenant_id_fkey'),
               ('store.card_variant'::regclass, 'card_variant_condition_fkey'),
               ('store.card_variant'::regclass, 'card_variant_language_check'),
               ('store.card_variant'::regclass, 'card_variant_grading_company_fkey'),
               ('store.card_variant'::regclass, 'card_variant_cert_number_check'),
               ('store.card_variant'::regclass, 'card_variant_serial_number_check'),
               ('store.card_variant'::regclass, 'card_variant_variant_id_fkey'),
               ('store.card_variant'::regclass, 'card_variant_product_id_fkey'),
               ('store.card_variant'::regclass, 'card_variant_printing_fkey'),
               ('store.card_variant'::regclass, 'card_variant_grade_fkey'),
               ('store.card_variant'::regclass, 'card_variant_graded_check'),
               ('store.card_variant'::regclass, 'card_variant_subgrades_check'),
               ('store.card_variant'::regclass, 'card_variant_grade_label_check'),
               ('store.card_variant'::regclass, 'card_variant_tenant_id_grading_company_cert_number_key')) AS g(rel, name);
SELECT 'store.card_variant_product_id_condition_printing_language_key'::regclass,
       'store.card_variant_product_id_tenant_id_game_idx'::regclass, 'store.card_tenant_id_idx'::regclass;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = 'audit.track()'::regprocedure
               AND t.tgenabled <> 'D')::int
  FROM (VALUES ('card_audit', 'store.card'::regclass), ('card_variant_audit', 'store.card_variant'::regclass)) AS g(name, rel);
-- reference data: read by every API role; the cards by none (until schemas/store/rls)
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.game', 'store.tcgplayer_condition', 'store.condition', 'store.printing', 'store.game_printing',
                    'store.grading_company', 'store.grading_scale', 'store.grading_grade']) AS t;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, p))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.game', 'store.tcgplayer_condition', 'store.condition', 'store.printing', 'store.game_printing',
                    'store.grading_company', 'store.grading_scale', 'store.grading_grade', 'store.card',
                    'store.card_variant']) AS t,
       unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) AS p;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'store.bgs_overall(numeric, numeric, numeric, numeric)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM identity.permission p WHERE p.code = 'store.manage' AND p.tenant_grantable)::int;
SELECT 1 / (SELECT count(*) FROM masterdata.lookup_type t WHERE t.code = 'CARD_LANGUAGE')::int;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['STORE_INVALID_CARD_ATTRIBUTE', 'STORE_CARD_UNIT_EXISTS', 'STORE_UNKNOWN_PRODUCT',
                    'STORE_UNKNOWN_VARIANT']) AS c;

ROLLBACK;
