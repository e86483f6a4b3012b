-- Deploy mercato:functions/store/create to pg
-- A card in one call: store.create_card creates the catalog product through catalog.create_product and then its
-- store.card row (store.add_card); store.create_card_variant adds the catalog variant through catalog.add_variant (a
-- graded slab gets max_quantity 1 unless the document names one) and then its store.card_variant row
-- (store.add_card_variant). The store never writes catalog tables itself. Each is one statement of the caller's
-- transaction: a refusal of a TCG rule raises after the catalog row was written, and the raise undoes it, so no
-- catalog product or variant is left behind. The caller needs catalog.manage (the catalog's functions check it) and
-- store.manage or catalog.manage (store.add_card*) in the tenant.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.create_card(
    p_product          jsonb,
    p_game             text,
    p_set_code         text,
    p_collector_number text DEFAULT NULL,
    p_rarity           text DEFAULT NULL,
    p_set_name         text DEFAULT NULL,
    p_cmc              numeric DEFAULT NULL,
    p_color_identity   text[] DEFAULT NULL,
    p_legalities       jsonb DEFAULT '{}',
    p_metadata         jsonb DEFAULT '{}',
    p_tenant_id        bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_product bigint;
BEGIN
    -- the store's permission first: a caller without it learns nothing from the catalog's checks
    PERFORM store.manager_tenant(p_tenant_id);
    v_product := catalog.create_product(p_product, p_tenant_id);
    -- a refusal here raises, and the raise undoes the product just created
    RETURN store.add_card(v_product, p_game, p_set_code, p_collector_number, p_rarity, p_set_name, p_cmc,
                          p_color_identity, p_legalities, p_metadata, p_tenant_id);
END
$$;
COMMENT ON FUNCTION store.create_card(jsonb, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint) IS
'Create a trading card in one call: the DRAFT catalog product (p_product, the document of catalog.create_product:
"title" required, "description", "vendor", "product_type", "category", "tags", "seo_title", "seo_description",
"metadata") through catalog.create_product, then its TCG attributes as store.add_card takes them (game, set code,
collector number, rarity, set name, cmc, color identity, legalities, metadata). Returns the product id. All or
nothing: a refused attribute raises and leaves no catalog product. Needs catalog.manage in the tenant (a platform user
or the back office names it). READ COMMITTED; two inserts. Errors: STORE_INVALID_CARD_ATTRIBUTE ("field: reason"),
CATALOG_INVALID_INPUT (the detail names the field), IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH,
IDENTITY_UNKNOWN_TENANT.';

CREATE OR REPLACE FUNCTION store.create_card_variant(
    p_product_id      bigint,
    p_variant         jsonb,
    p_printing        text,
    p_language        text DEFAULT 'EN',
    p_condition       text DEFAULT NULL,
    p_grading_company text DEFAULT NULL,
    p_grade           numeric DEFAULT NULL,
    p_grade_label     text DEFAULT NULL,
    p_scale_version   integer DEFAULT NULL,
    p_cert_number     text DEFAULT NULL,
    p_centering       numeric DEFAULT NULL,
    p_corners         numeric DEFAULT NULL,
    p_edges           numeric DEFAULT NULL,
    p_surface         numeric DEFAULT NULL,
    p_serial_number   text DEFAULT NULL,
    p_tenant_id       bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := store.manager_tenant(p_tenant_id);
    v_doc     jsonb := p_variant;
    v_variant bigint;
BEGIN
    IF p_product_id IS NULL OR NOT EXISTS (SELECT 1 FROM store.card c WHERE c.product_id = p_product_id AND c.tenant_id = v_tenant) THEN
        PERFORM core.raise('STORE_UNKNOWN_PRODUCT', format('product_id: card %s in tenant %s', p_product_id, v_tenant));
    END IF;
    -- a graded slab is one unit: its catalog variant gets max_quantity 1 unless the document says otherwise (and the
    -- validation trigger then refuses any other value)
    IF nullif(btrim(p_grading_company), '') IS NOT NULL AND jsonb_typeof(v_doc) = 'object' AND NOT v_doc ? 'max_quantity' THEN
        v_doc := v_doc || '{"max_quantity": 1}'::jsonb;
    END IF;
    v_variant := catalog.add_variant(p_product_id, v_doc, p_tenant_id);
    -- a refusal here raises, and the raise undoes the variant just added
    RETURN store.add_card_variant(v_variant, p_printing, p_language, p_condition, p_grading_company, p_grade,
                                  p_grade_label, p_scale_version, p_cert_number, p_centering, p_corners, p_edges,
                                  p_surface, p_serial_number, p_tenant_id);
END
$$;
COMMENT ON FUNCTION store.create_card_variant(bigint, jsonb, text, text, text, text, numeric, text, integer, text, numeric, numeric, numeric, numeric, text, bigint) IS
'Create a card''s sellable unit or graded slab in one call: the catalog variant of card p_product_id (p_variant, the
document of catalog.add_variant: "sku" and "price" required, …; a slab, named by p_grading_company, gets
"max_quantity" 1 unless the document names one) through catalog.add_variant, then its TCG attributes as
store.add_card_variant takes them (printing, language, condition, or grading company, grade, label, scale version,
certificate, BGS subgrades; serial number). Returns the variant id. All or nothing: a refused attribute raises and
leaves no catalog variant. Needs catalog.manage in the tenant. READ COMMITTED; two inserts. Errors:
STORE_INVALID_CARD_ATTRIBUTE ("field: reason"), STORE_CARD_UNIT_EXISTS, STORE_UNKNOWN_PRODUCT (not a card of the
tenant), CATALOG_INVALID_INPUT, CATALOG_SKU_TAKEN, CATALOG_OPTIONS_TAKEN, CATALOG_AMOUNT_SCALE,
CATALOG_INVALID_TRANSITION, IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH.';

COMMIT;
