-- Deploy mercato:functions/catalog/variants to pg
-- Variants: add to a product, update, get. Amounts are in the tenant's currency with at most its minor units (trigger
-- variant_money, functions/catalog/guards); a SKU is unique per tenant and options per product (unique keys, refused
-- with CATALOG_SKU_TAKEN / CATALOG_OPTIONS_TAKEN: no read-then-write).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION catalog.variant_fields()
RETURNS text[]
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN ARRAY['title', 'sku', 'barcode', 'price', 'compare_at_price', 'cost', 'weight', 'weight_unit', 'requires_shipping',
             'taxable', 'tax_code', 'option1', 'option2', 'option3', 'track_inventory', 'inventory_policy',
             'max_quantity', 'metadata'];
COMMENT ON FUNCTION catalog.variant_fields() IS
'The fields of a variant document (catalog.add_variant, update_variant, which also takes status). Internal.';

CREATE OR REPLACE FUNCTION catalog.add_variant(p_product_id bigint, p_variant jsonb, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.write_tenant(p_tenant_id);
    d        jsonb := catalog.doc_keys(p_variant, catalog.variant_fields());
    v_status text;
    v_id     bigint;
    v_state  text;
    v_table  text;
    v_con    text;
    v_col    text;
    v_msg    text;
BEGIN
    -- FOR SHARE: an archive of the product waits for this variant, or this call sees it archived
    SELECT p.status INTO v_status FROM catalog.product p WHERE p.id = p_product_id AND p.tenant_id = v_tenant FOR SHARE;
    IF NOT FOUND THEN
        PERFORM core.raise('CATALOG_UNKNOWN_PRODUCT', format('product %s', coalesce(p_product_id::text, 'NULL')));
    END IF;
    IF v_status = 'ARCHIVED' THEN
        PERFORM core.raise('CATALOG_INVALID_TRANSITION', format('product %s is ARCHIVED: it takes no new variant', p_product_id));
    END IF;
    IF catalog.doc_numeric(d, 'price') IS NULL THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', 'price: required');
    END IF;
    BEGIN
        INSERT INTO catalog.variant (tenant_id, product_id, title, sku, barcode, currency, price, compare_at_price, cost,
                                     weight, weight_unit, requires_shipping, taxable, tax_code, option1, option2, option3,
                                     track_inventory, inventory_policy, max_quantity, metadata)
        SELECT v_tenant, p_product_id,
               coalesce(catalog.doc_text(d, 'title'),
                        nullif(concat_ws(' / ', catalog.doc_text(d, 'option1'), catalog.doc_text(d, 'option2'),
                                         catalog.doc_text(d, 'option3')), ''),
                        'Default'),
               catalog.doc_text(d, 'sku'), catalog.doc_text(d, 'barcode'),
               (SELECT t.currency FROM identity.tenant t WHERE t.id = v_tenant),   -- checked again by variant_money
               catalog.doc_numeric(d, 'price'), catalog.doc_numeric(d, 'compare_at_price'), catalog.doc_numeric(d, 'cost'),
               catalog.doc_numeric(d, 'weight'), coalesce(catalog.doc_text(d, 'weight_unit'), 'g'),
               coalesce(catalog.doc_bool(d, 'requires_shipping'), true), coalesce(catalog.doc_bool(d, 'taxable'), true),
               catalog.doc_text(d, 'tax_code'), catalog.doc_text(d, 'option1'), catalog.doc_text(d, 'option2'),
               catalog.doc_text(d, 'option3'), coalesce(catalog.doc_bool(d, 'track_inventory'), true),
               coalesce(upper(catalog.doc_text(d, 'inventory_policy')), 'DENY'), catalog.doc_int(d, 'max_quantity'),
               coalesce(catalog.doc_object(d, 'metadata'), '{}')
        RETURNING id INTO v_id;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_table = TABLE_NAME, v_con = CONSTRAINT_NAME,
                                v_col = COLUMN_NAME, v_msg = MESSAGE_TEXT;
        PERFORM catalog.refuse_constraint(v_state, v_table, v_con, v_col, v_msg);
    END;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION catalog.add_variant(bigint, jsonb, bigint) IS
'Add a variant (a sellable unit) to a product of the caller''s tenant; returns its id. p_variant: {"sku" (required,
unique in the tenant, 1-100 characters without surrounding spaces), "price" (required), "compare_at_price", "cost"
(decimal numbers >= 0 as JSON numbers or strings, in the tenant''s currency with at most its minor units), "barcode",
"title" (default: the options joined by " / ", else "Default"), "weight" with "weight_unit" (g, kg, oz, lb; default g),
"requires_shipping", "taxable" (default true), "tax_code", "option1".."option3" (unique per product; option2 needs
option1), "track_inventory" (default true), "inventory_policy" (DENY, default, or CONTINUE), "max_quantity" (> 0: a
one-of-a-kind item has 1), "metadata" (an object)}. The product must not be ARCHIVED. Needs catalog.manage. Audited.
Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH, CATALOG_UNKNOWN_PRODUCT, CATALOG_INVALID_TRANSITION,
CATALOG_INVALID_INPUT (the detail names the field), CATALOG_NO_CURRENCY, CATALOG_AMOUNT_SCALE, CATALOG_SKU_TAKEN,
CATALOG_OPTIONS_TAKEN. Nothing is written on a refusal.';

CREATE OR REPLACE FUNCTION catalog.update_variant(p_variant_id bigint, p_changes jsonb, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := catalog.write_tenant(p_tenant_id);
    d         jsonb := catalog.doc_keys(p_changes, catalog.variant_fields() || 'status'::text);
    v         catalog.variant;
    v_options boolean := d ?| ARRAY['option1', 'option2', 'option3'] AND NOT d ? 'title';
    v_state   text;
    v_table   text;
    v_con     text;
    v_col     text;
    v_msg     text;
BEGIN
    SELECT * INTO v FROM catalog.variant x WHERE x.id = p_variant_id AND x.tenant_id = v_tenant FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('CATALOG_UNKNOWN_VARIANT', format('variant %s', coalesce(p_variant_id::text, 'NULL')));
    END IF;
    IF d ? 'price' AND catalog.doc_numeric(d, 'price') IS NULL THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', 'price: required');
    END IF;
    BEGIN
        UPDATE catalog.variant x
           SET sku = CASE WHEN d ? 'sku' THEN catalog.doc_text(d, 'sku') ELSE x.sku END,
               barcode = CASE WHEN d ? 'barcode' THEN catalog.doc_text(d, 'barcode') ELSE x.barcode END,
               price = CASE WHEN d ? 'price' THEN catalog.doc_numeric(d, 'price') ELSE x.price END,
               compare_at_price = CASE WHEN d ? 'compare_at_price' THEN catalog.doc_numeric(d, 'compare_at_price')
                                       ELSE x.compare_at_price END,
               cost = CASE WHEN d ? 'cost' THEN catalog.doc_numeric(d, 'cost') ELSE x.cost END,
               weight = CASE WHEN d ? 'weight' THEN catalog.doc_numeric(d, 'weight') ELSE x.weight END,
               weight_unit = CASE WHEN d ? 'weight_unit' THEN coalesce(catalog.doc_text(d, 'weight_unit'), 'g')
                                  ELSE x.weight_unit END,
               requires_shipping = CASE WHEN d ? 'requires_shipping' THEN coalesce(catalog.doc_bool(d, 'requires_shipping'), true)
                                        ELSE x.requires_shipping END,
               taxable = CASE WHEN d ? 'taxable' THEN coalesce(catalog.doc_bool(d, 'taxable'), true) ELSE x.taxable END,
               tax_code = CASE WHEN d ? 'tax_code' THEN catalog.doc_text(d, 'tax_code') ELSE x.tax_code END,
               option1 = CASE WHEN d ? 'option1' THEN catalog.doc_text(d, 'option1') ELSE x.option1 END,
               option2 = CASE WHEN d ? 'option2' THEN catalog.doc_text(d, 'option2') ELSE x.option2 END,
               option3 = CASE WHEN d ? 'option3' THEN catalog.doc_text(d, 'option3') ELSE x.option3 END,
               track_inventory = CASE WHEN d ? 'track_inventory' THEN coalesce(catalog.doc_bool(d, 'track_inventory'), true)
                                      ELSE x.track_inventory END,
               inventory_policy = CASE WHEN d ? 'inventory_policy'
                                       THEN coalesce(upper(catalog.doc_text(d, 'inventory_policy')), 'DENY')
                                       ELSE x.inventory_policy END,
               max_quantity = CASE WHEN d ? 'max_quantity' THEN catalog.doc_int(d, 'max_quantity') ELSE x.max_quantity END,
               status = CASE WHEN d ? 'status' THEN coalesce(upper(catalog.doc_text(d, 'status')), '') ELSE x.status END,
               metadata = CASE WHEN d ? 'metadata' THEN coalesce(catalog.doc_object(d, 'metadata'), '{}') ELSE x.metadata END,
               updated_at = now()
         WHERE x.id = v.id
        RETURNING * INTO v;
        -- the title follows the options unless it is given
        UPDATE catalog.variant x
           SET title = CASE WHEN d ? 'title' THEN coalesce(catalog.doc_text(d, 'title'), '')
                            ELSE coalesce(nullif(concat_ws(' / ', x.option1, x.option2, x.option3), ''), 'Default') END
         WHERE x.id = v.id AND (d ? 'title' OR v_options)
        RETURNING * INTO v;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_table = TABLE_NAME, v_con = CONSTRAINT_NAME,
                                v_col = COLUMN_NAME, v_msg = MESSAGE_TEXT;
        PERFORM catalog.refuse_constraint(v_state, v_table, v_con, v_col, v_msg);
    END;
    SELECT * INTO v FROM catalog.variant x WHERE x.id = p_variant_id;
    RETURN catalog.variant_doc(v);
END
$$;
COMMENT ON FUNCTION catalog.update_variant(bigint, jsonb, bigint) IS
'Change some fields of a variant of the caller''s tenant; returns the variant as JSON. p_changes takes the fields of
catalog.add_variant and "status" (ACTIVE or ARCHIVED); a field present is set (JSON null clears an optional one), a
field absent is kept; the title follows changed options unless given. Needs catalog.manage. Audited. Assumes READ
COMMITTED: locks the variant. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH, CATALOG_UNKNOWN_VARIANT,
CATALOG_INVALID_INPUT, CATALOG_AMOUNT_SCALE, CATALOG_SKU_TAKEN, CATALOG_OPTIONS_TAKEN. Nothing is written on a refusal.';

CREATE OR REPLACE FUNCTION catalog.get_variant(p_variant_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.read_tenant(p_tenant_id);
    v        catalog.variant;
BEGIN
    SELECT * INTO v FROM catalog.variant x WHERE x.id = p_variant_id AND x.tenant_id = v_tenant;
    IF NOT FOUND THEN
        PERFORM core.raise('CATALOG_UNKNOWN_VARIANT', format('variant %s', coalesce(p_variant_id::text, 'NULL')));
    END IF;
    RETURN catalog.variant_doc(v);
END
$$;
COMMENT ON FUNCTION catalog.get_variant(bigint, bigint) IS
'A variant of the caller''s tenant as JSON (amounts as strings). Any user of the tenant; a platform user holding
catalog.manage or the back office names the tenant. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_TENANT_MISMATCH,
IDENTITY_PERMISSION_DENIED, CATALOG_UNKNOWN_VARIANT.';

COMMIT;
