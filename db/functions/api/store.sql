-- Deploy mercato:functions/api/store to pg
-- The HTTP API of the store's TCG attributes (issue 18): make a catalog product a card and a catalog variant a unit or
-- a graded slab, BGS's overall grade for four subgrades, the grading scales and conditions (reference data), and the
-- reads of the cards and their variants (the caller's tenant; all for the back office).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.add_card(
    p_product_id bigint, p_game core.name_text, p_set_code core.name_text,
    p_collector_number core.name_text DEFAULT NULL, p_rarity core.name_text DEFAULT NULL,
    p_set_name core.name_text DEFAULT NULL, p_cmc numeric DEFAULT NULL, p_color_identity core.text_list DEFAULT NULL,
    p_legalities core.json_doc DEFAULT '{}', p_metadata core.json_doc DEFAULT '{}', p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.add_card(p_product_id, p_game, p_set_code, p_collector_number, p_rarity, p_set_name, p_cmc,
                      p_color_identity, p_legalities, p_metadata, p_tenant_id);
SELECT core.wrap('api.add_card(bigint, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.text_list, core.json_doc, core.json_doc, bigint)',
                 'store.add_card(bigint, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint)',
                 'Store staff (store.manage or catalog.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_card_variant(
    p_variant_id bigint, p_printing core.name_text, p_language core.name_text DEFAULT 'EN',
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
RETURN store.add_card_variant(p_variant_id, p_printing, p_language, p_condition, p_grading_company, p_grade,
                              p_grade_label, p_scale_version, p_cert_number, p_centering, p_corners, p_edges, p_surface,
                              p_serial_number, p_tenant_id);
SELECT core.wrap('api.add_card_variant(bigint, core.name_text, core.name_text, core.name_text, core.name_text, numeric, core.name_text, integer, core.name_text, numeric, numeric, numeric, numeric, core.name_text, bigint)',
                 'store.add_card_variant(bigint, text, text, text, text, numeric, text, integer, text, numeric, numeric, '
                 'numeric, numeric, text, bigint)',
                 'Store staff (store.manage or catalog.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.bgs_overall(p_centering numeric, p_corners numeric, p_edges numeric, p_surface numeric)
RETURNS numeric
LANGUAGE sql
IMMUTABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.bgs_overall(p_centering, p_corners, p_edges, p_surface);
SELECT core.wrap('api.bgs_overall(numeric, numeric, numeric, numeric)', 'store.bgs_overall(numeric, numeric, numeric, numeric)',
                 'Anyone.', 'mercato_anon', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.grading_grades(p_grading_company core.name_text DEFAULT NULL)
RETURNS TABLE (grading_company text, scale_version integer, effective_from date, grade numeric, label text, name text,
               has_subgrades boolean)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT g.grading_company, g.scale_version, s.effective_from, g.grade, g.label, g.name, c.has_subgrades
      FROM store.grading_grade g
      JOIN store.grading_scale s ON s.grading_company = g.grading_company AND s.version = g.scale_version
      JOIN store.grading_company c ON c.code = g.grading_company
     WHERE p_grading_company IS NULL OR g.grading_company = upper(p_grading_company)
     ORDER BY g.grading_company, g.scale_version, g.grade, g.label;
END;
COMMENT ON FUNCTION api.grading_grades(core.name_text) IS
'The grading scales: each company''s grades per scale version (from when it applies), with the label printed for each
(two labels share a 10 at SGC, at CGC from 2023 and at BGS: Pristine and Black Label), and whether the company gives
subgrades. All companies, or the one named. Anyone.';
GRANT EXECUTE ON FUNCTION api.grading_grades(core.name_text) TO mercato_anon, mercato_user, mercato_service;

CREATE OR REPLACE FUNCTION api.card_conditions()
RETURNS TABLE (code text, name text, abbreviation text, tcgplayer_condition text, tcgplayer_name text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.code, c.name, c.abbreviation, t.code, t.name
      FROM store.condition c JOIN store.tcgplayer_condition t ON t.code = c.tcgplayer_condition
     ORDER BY c.sort_order;
END;
COMMENT ON FUNCTION api.card_conditions() IS
'The conditions of an ungraded card (Mint … Damaged) and the TCGplayer condition each is listed as (Mint lists as Near
Mint). Anyone.';
GRANT EXECUTE ON FUNCTION api.card_conditions() TO mercato_anon, mercato_user, mercato_service;

-- Reads are functions, not api views: the released verify of schemas/api/views counts the api views (22), so a new
-- view would fail it. Each returns the caller's tenant's rows (the back office: all, or the tenant it names), as the
-- row-level security of schemas/store/rls does for the tables.
CREATE OR REPLACE FUNCTION api.store_cards(p_product_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (product_id bigint, tenant_id bigint, game text, set_code text, set_name text, collector_number text,
               rarity text, cmc numeric, color_identity text[], legalities jsonb, metadata jsonb,
               created_at timestamptz, updated_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT c.product_id, c.tenant_id, c.game, c.set_code, c.set_name, c.collector_number, c.rarity, c.cmc,
           c.color_identity, c.legalities, c.metadata, c.created_at, c.updated_at
      FROM store.card c
     WHERE (c.tenant_id = identity.my_tenant_id() OR (identity.is_service() AND c.tenant_id = coalesce(p_tenant_id, c.tenant_id)))
       AND c.product_id = coalesce(p_product_id, c.product_id)
     ORDER BY c.product_id
     LIMIT 1000;
END;
COMMENT ON FUNCTION api.store_cards(bigint, bigint) IS
'The TCG attributes of your tenant''s cards (one row per catalog product that is a card), or of one product; at most
1,000 rows in product order. Users of a tenant: their tenant''s; the back office: all, or the tenant it names. Another
tenant''s card is never returned.';
GRANT EXECUTE ON FUNCTION api.store_cards(bigint, bigint) TO mercato_user, mercato_service;

CREATE OR REPLACE FUNCTION api.store_card_variants(p_product_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (variant_id bigint, tenant_id bigint, product_id bigint, game text, condition text,
               tcgplayer_condition text, printing text, language text, graded boolean, grading_company text,
               scale_version integer, grade numeric, grade_label text, cert_number text, centering numeric,
               corners numeric, edges numeric, surface numeric, serial_number text, created_at timestamptz,
               updated_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT v.variant_id, v.tenant_id, v.product_id, v.game, v.condition, c.tcgplayer_condition, v.printing, v.language,
           v.graded, v.grading_company, v.scale_version, v.grade, v.grade_label, v.cert_number, v.centering, v.corners,
           v.edges, v.surface, v.serial_number, v.created_at, v.updated_at
      FROM store.card_variant v LEFT JOIN store.condition c ON c.code = v.condition
     WHERE (v.tenant_id = identity.my_tenant_id() OR (identity.is_service() AND v.tenant_id = coalesce(p_tenant_id, v.tenant_id)))
       AND v.product_id = coalesce(p_product_id, v.product_id)
     ORDER BY v.variant_id
     LIMIT 1000;
END;
COMMENT ON FUNCTION api.store_card_variants(bigint, bigint) IS
'The TCG attributes of your tenant''s card variants, or of one product''s: the ungraded units (condition and the
TCGplayer condition it lists as, printing, language) and the graded slabs (company, scale version, grade, label,
certificate, BGS subgrades); at most 1,000 rows in variant order. Users of a tenant: their tenant''s; the back office:
all, or the tenant it names. Another tenant''s variant is never returned.';
GRANT EXECUTE ON FUNCTION api.store_card_variants(bigint, bigint) TO mercato_user, mercato_service;

COMMIT;
