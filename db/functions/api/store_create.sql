-- Deploy mercato:functions/api/store_create to pg
-- The HTTP API of a card in one call (functions/store/create): the catalog product and its card, the catalog variant
-- and its unit or slab, all or nothing.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.create_card(
    p_product core.json_doc, p_game core.name_text, p_set_code core.name_text,
    p_collector_number core.name_text DEFAULT NULL, p_rarity core.name_text DEFAULT NULL,
    p_set_name core.name_text DEFAULT NULL, p_cmc numeric DEFAULT NULL, p_color_identity core.text_list DEFAULT NULL,
    p_legalities core.json_doc DEFAULT '{}', p_metadata core.json_doc DEFAULT '{}', p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.create_card(p_product, p_game, p_set_code, p_collector_number, p_rarity, p_set_name, p_cmc,
                         p_color_identity, p_legalities, p_metadata, p_tenant_id);
SELECT core.wrap('api.create_card(core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)',
                 'store.create_card(jsonb, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint)',
                 'Store staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.create_card_variant(
    p_product_id bigint, p_variant core.json_doc, p_printing core.name_text, p_language core.name_text DEFAULT 'EN',
    p_condition core.name_text DEFAULT NULL, p_grading_company core.name_text DEFAULT NULL, p_grade numeric DEFAULT NULL,
    p_grade_label core.name_text DEFAULT NULL, p_scale_version integer DEFAULT NULL,
    p_cert_number core.name_text DEFAULT NULL, p_centering numeric DEFAULT NULL, p_corners numeric DEFAULT NULL,
    p_edges numeric DEFAULT NULL, p_surface numeric DEFAULT NULL, p_serial_number core.name_text DEFAULT NULL,
    p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.create_card_variant(p_product_id, p_variant, p_printing, p_language, p_condition, p_grading_company,
                                 p_grade, p_grade_label, p_scale_version, p_cert_number, p_centering, p_corners, p_edges,
                                 p_surface, p_serial_number, p_tenant_id);
SELECT core.wrap('api.create_card_variant(bigint, core.json_doc, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)',
                 'store.create_card_variant(bigint, jsonb, text, text, text, text, numeric, text, integer, text, '
                 'numeric, numeric, numeric, numeric, text, bigint)',
                 'Store staff holding catalog.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

COMMIT;
