-- Deploy mercato:functions/store/cards to pg
-- A store's staff make a catalog product a trading card and a catalog variant a sellable unit or a graded slab:
-- store.add_card and store.add_card_variant write the TCG attributes of existing catalog rows of the caller's tenant
-- (the catalog module creates products and variants; these functions do not, because the catalog's writing functions
-- are not planned yet: a later change may create both in one call). The tenant is the caller's own (a platform user or
-- the back office names it), and the caller needs store.manage or catalog.manage there. Every rule is the validation
-- trigger's (functions/store/tcg); these functions only normalise codes to upper case, refuse what a column type would
-- silently round (a grade of 9.25 stored as numeric), and turn a lost race on a unique index into STORE_CARD_UNIT_EXISTS.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.manager_tenant(p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN identity.role_admin_tenant(p_tenant_id, 'store.manage', 'catalog.manage');
COMMENT ON FUNCTION store.manager_tenant(bigint) IS
'The tenant whose store the call manages, once the caller may: a tenant''s user its own tenant (p_tenant_id NULL or the
same), a platform user or the back office the tenant it names; the caller holds store.manage or catalog.manage there.
Internal. Errors as identity.role_admin_tenant: IDENTITY_NOT_AUTHENTICATED, IDENTITY_TENANT_MISMATCH,
IDENTITY_INVALID_INPUT, IDENTITY_UNKNOWN_TENANT, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.add_card(
    p_product_id       bigint,
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
    v_tenant bigint := store.manager_tenant(p_tenant_id);
    v_id     bigint;
BEGIN
    IF p_product_id IS NULL OR NOT EXISTS (SELECT 1 FROM catalog.product p WHERE p.id = p_product_id AND p.tenant_id = v_tenant) THEN
        PERFORM core.raise('STORE_UNKNOWN_PRODUCT', format('product_id: product %s in tenant %s', p_product_id, v_tenant));
    END IF;
    INSERT INTO store.card (product_id, tenant_id, game, set_code, set_name, collector_number, rarity, cmc,
                            color_identity, legalities, metadata)
    VALUES (p_product_id, v_tenant, upper(btrim(p_game)), btrim(p_set_code), p_set_name, p_collector_number, p_rarity,
            p_cmc, CASE WHEN p_color_identity IS NOT NULL THEN ARRAY(SELECT upper(c) FROM unnest(p_color_identity) c) END,
            coalesce(p_legalities, '{}'),
            coalesce(p_metadata, '{}'))
    ON CONFLICT ON CONSTRAINT card_pkey DO NOTHING
    RETURNING product_id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('STORE_CARD_UNIT_EXISTS', format('product_id: product %s is already a card', p_product_id));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION store.add_card(bigint, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint) IS
'Make a catalog product of the caller''s tenant a trading card: its game (MTG, POKEMON, YUGIOH, LORCANA), set code, and
optionally collector number, rarity, set name, and for Magic the mana value (cmc >= 0) and color identity (a subset of
W, U, B, R, G, stored in WUBRG order); legalities an object of format -> legal / not_legal / restricted / banned;
metadata free-form. Returns the product id. Needs store.manage or catalog.manage in the tenant (a platform user or the
back office names it). READ COMMITTED; one insert. Errors: STORE_INVALID_CARD_ATTRIBUTE (the detail names the field and
the reason), STORE_UNKNOWN_PRODUCT, STORE_CARD_UNIT_EXISTS, IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH.';

CREATE OR REPLACE FUNCTION store.grade_input_problem(p_company text, p_field text, p_value numeric)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE
       WHEN p_value IS NULL OR (p_value BETWEEN 1 AND 10 AND p_value * 2 = trunc(p_value * 2)) THEN NULL
       WHEN p_field = 'grade' THEN format('grade: %s has no grade %s%s', coalesce(p_company, 'a grading company'),
                                          trim_scale(p_value),
                                          CASE p_company WHEN 'PSA' THEN ' (1 to 10; half grades 1.5 to 8.5 only)'
                                                         ELSE ' (1 to 10 in steps of 0.5)' END)
       ELSE format('%s: a BGS subgrade is 1 to 10 in steps of 0.5, not %s', p_field, trim_scale(p_value))
       END;
COMMENT ON FUNCTION store.grade_input_problem(text, text, numeric) IS
'"field: reason" when a grade or subgrade given to store.add_card_variant is off every half-point scale (9.25, 0, 11),
else NULL: said before the value reaches a column. Internal.';

CREATE OR REPLACE FUNCTION store.add_card_variant(
    p_variant_id      bigint,
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
    v_tenant     bigint := store.manager_tenant(p_tenant_id);
    v_company    text := upper(btrim(p_grading_company));
    v_problem    text;
    v_constraint text;
    v_id         bigint;
BEGIN
    IF p_variant_id IS NULL OR NOT EXISTS (SELECT 1 FROM catalog.variant v WHERE v.id = p_variant_id AND v.tenant_id = v_tenant) THEN
        PERFORM core.raise('STORE_UNKNOWN_VARIANT', format('variant_id: variant %s in tenant %s', p_variant_id, v_tenant));
    END IF;
    SELECT p INTO v_problem
      FROM unnest(ARRAY[store.grade_input_problem(v_company, 'grade', p_grade),
                        store.grade_input_problem(v_company, 'centering', p_centering),
                        store.grade_input_problem(v_company, 'corners', p_corners),
                        store.grade_input_problem(v_company, 'edges', p_edges),
                        store.grade_input_problem(v_company, 'surface', p_surface)]) WITH ORDINALITY AS u(p, n)
     WHERE u.p IS NOT NULL ORDER BY u.n LIMIT 1;
    IF v_problem IS NOT NULL THEN
        PERFORM core.raise('STORE_INVALID_CARD_ATTRIBUTE', v_problem);
    END IF;
    IF EXISTS (SELECT 1 FROM store.card_variant cv WHERE cv.variant_id = p_variant_id) THEN
        PERFORM core.raise('STORE_CARD_UNIT_EXISTS', format('variant_id: variant %s already has TCG attributes', p_variant_id));
    END IF;
    BEGIN
        INSERT INTO store.card_variant (variant_id, tenant_id, product_id, game, condition, printing, language,
                                        grading_company, scale_version, grade, grade_label, cert_number,
                                        centering, corners, edges, surface, serial_number)
        VALUES (p_variant_id, v_tenant, NULL, NULL, upper(btrim(p_condition)), upper(btrim(p_printing)),
                upper(btrim(p_language)), v_company, p_scale_version, p_grade, upper(btrim(p_grade_label)),
                btrim(p_cert_number), p_centering, p_corners, p_edges, p_surface, btrim(p_serial_number))
        RETURNING variant_id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        -- a concurrent writer got there first (the trigger's own check could not see its uncommitted row)
        GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
        PERFORM core.raise('STORE_CARD_UNIT_EXISTS',
                           CASE v_constraint
                           WHEN 'card_variant_tenant_id_grading_company_cert_number_key'
                               THEN format('cert_number: %s %s is already listed', v_company, p_cert_number)
                           WHEN 'card_variant_pkey'
                               THEN format('variant_id: variant %s already has TCG attributes', p_variant_id)
                           ELSE format('condition: this product in %s, %s, %s is already a variant', upper(p_condition),
                                       upper(p_printing), upper(p_language)) END);
    END;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION store.add_card_variant(bigint, text, text, text, text, numeric, text, integer, text, numeric, numeric, numeric, numeric, text, bigint) IS
'Give a catalog variant of one of the tenant''s cards its TCG attributes: printing (one of the game''s), language (a
CARD_LANGUAGE lookup, default EN), and either a condition (ungraded: MINT … DAMAGED; product × condition × printing ×
language once per tenant) or a slab (grading company PSA/BGS/SGC/CGC/HGA, grade on that company''s scale, grade label
where a number has two, scale version (default the latest), certificate number unique per company in the tenant, for
BGS optionally the four subgrades whose overall the grade must be; the variant must have max_quantity 1); optionally a
serial number n/m. Returns the variant id. Needs store.manage or catalog.manage in the tenant. READ COMMITTED; one
insert, a concurrent duplicate loses on the unique index. Errors: STORE_INVALID_CARD_ATTRIBUTE ("field: reason"),
STORE_CARD_UNIT_EXISTS, STORE_UNKNOWN_VARIANT, STORE_UNKNOWN_PRODUCT, IDENTITY_PERMISSION_DENIED.';

COMMIT;
