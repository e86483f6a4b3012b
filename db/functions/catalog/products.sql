-- Deploy mercato:functions/catalog/products to pg
-- Products: create, update, publish, archive and unarchive, get. A tenant's staff holding catalog.manage write their
-- own tenant's catalog; a platform user or the back office names the tenant. Status moves only along the allowed
-- transitions, whoever writes (trigger product_status).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION catalog.product_status_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND (OLD.status, NEW.status) NOT IN (('DRAFT', 'ACTIVE'), ('DRAFT', 'ARCHIVED'), ('ACTIVE', 'ARCHIVED'),
                                            ('ACTIVE', 'DRAFT'), ('ARCHIVED', 'DRAFT')) THEN
        PERFORM core.raise('CATALOG_INVALID_TRANSITION', format('product %s: %s -> %s', OLD.id, OLD.status, NEW.status));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION catalog.product_status_trg() IS
'Trigger (BEFORE UPDATE OF status on catalog.product): DRAFT -> ACTIVE or ARCHIVED, ACTIVE -> ARCHIVED or DRAFT,
ARCHIVED -> DRAFT; anything else is CATALOG_INVALID_TRANSITION, whoever writes (an archived product is brought back as
a draft before it is published again).';

CREATE OR REPLACE TRIGGER product_status BEFORE UPDATE OF status ON catalog.product
    FOR EACH ROW EXECUTE FUNCTION catalog.product_status_trg();

CREATE OR REPLACE FUNCTION catalog.create_product(p_product jsonb, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.write_tenant(p_tenant_id);
    v_doc    jsonb := catalog.doc_keys(p_product, ARRAY['title', 'description', 'vendor', 'product_type', 'category',
                                                        'tags', 'seo_title', 'seo_description', 'metadata']);
    v_id     bigint;
    v_state  text;
    v_table  text;
    v_con    text;
    v_col    text;
    v_msg    text;
BEGIN
    BEGIN
        INSERT INTO catalog.product (tenant_id, title, description, vendor, product_type, category, tags, seo_title,
                                     seo_description, metadata)
        VALUES (v_tenant, coalesce(catalog.doc_text(v_doc, 'title'), ''), coalesce(catalog.doc_text(v_doc, 'description'), ''),
                catalog.doc_text(v_doc, 'vendor'), catalog.doc_text(v_doc, 'product_type'),
                catalog.doc_text(v_doc, 'category'), coalesce(catalog.doc_tags(v_doc, 'tags'), '{}'),
                catalog.doc_text(v_doc, 'seo_title'), catalog.doc_text(v_doc, 'seo_description'),
                coalesce(catalog.doc_object(v_doc, 'metadata'), '{}'))
        RETURNING id INTO v_id;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_table = TABLE_NAME, v_con = CONSTRAINT_NAME,
                                v_col = COLUMN_NAME, v_msg = MESSAGE_TEXT;
        PERFORM catalog.refuse_constraint(v_state, v_table, v_con, v_col, v_msg);
    END;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION catalog.create_product(jsonb, bigint) IS
'Create a DRAFT product in the caller''s tenant (a platform user or the back office names p_tenant_id); returns its id.
p_product: {"title" (required, 1-500 characters), "description" (up to 10,000), "vendor", "product_type", "category"
(up to 200 each), "tags" (up to 100 strings of 1-100 characters), "seo_title" (200), "seo_description" (1,000),
"metadata" (an object)}; unknown fields are refused. Needs catalog.manage in the tenant. Audited. Errors:
IDENTITY_NOT_AUTHENTICATED, IDENTITY_TENANT_MISMATCH, IDENTITY_UNKNOWN_TENANT, IDENTITY_PERMISSION_DENIED,
CATALOG_INVALID_INPUT (the detail names the field).';

CREATE OR REPLACE FUNCTION catalog.lock_product(p_product_id bigint, p_tenant_id bigint)
RETURNS catalog.product
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v catalog.product;
BEGIN
    SELECT * INTO v FROM catalog.product p WHERE p.id = p_product_id AND p.tenant_id = p_tenant_id FOR UPDATE;
    IF NOT FOUND THEN
        -- another tenant's product is as if absent
        PERFORM core.raise('CATALOG_UNKNOWN_PRODUCT', format('product %s', coalesce(p_product_id::text, 'NULL')));
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION catalog.lock_product(bigint, bigint) IS
'The tenant''s product, locked FOR UPDATE; CATALOG_UNKNOWN_PRODUCT when the tenant has none of that id. Internal.';

CREATE OR REPLACE FUNCTION catalog.update_product(p_product_id bigint, p_changes jsonb, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.write_tenant(p_tenant_id);
    d        jsonb := catalog.doc_keys(p_changes, ARRAY['title', 'description', 'vendor', 'product_type', 'category',
                                                        'tags', 'seo_title', 'seo_description', 'metadata']);
    v_state  text;
    v_table  text;
    v_con    text;
    v_col    text;
    v_msg    text;
BEGIN
    PERFORM catalog.lock_product(p_product_id, v_tenant);
    BEGIN
        UPDATE catalog.product p
           SET title = CASE WHEN d ? 'title' THEN coalesce(catalog.doc_text(d, 'title'), '') ELSE p.title END,
               description = CASE WHEN d ? 'description' THEN coalesce(catalog.doc_text(d, 'description'), '')
                                  ELSE p.description END,
               vendor = CASE WHEN d ? 'vendor' THEN catalog.doc_text(d, 'vendor') ELSE p.vendor END,
               product_type = CASE WHEN d ? 'product_type' THEN catalog.doc_text(d, 'product_type') ELSE p.product_type END,
               category = CASE WHEN d ? 'category' THEN catalog.doc_text(d, 'category') ELSE p.category END,
               tags = CASE WHEN d ? 'tags' THEN coalesce(catalog.doc_tags(d, 'tags'), '{}') ELSE p.tags END,
               seo_title = CASE WHEN d ? 'seo_title' THEN catalog.doc_text(d, 'seo_title') ELSE p.seo_title END,
               seo_description = CASE WHEN d ? 'seo_description' THEN catalog.doc_text(d, 'seo_description')
                                      ELSE p.seo_description END,
               metadata = CASE WHEN d ? 'metadata' THEN coalesce(catalog.doc_object(d, 'metadata'), '{}') ELSE p.metadata END,
               updated_at = now()
         WHERE p.id = p_product_id AND p.tenant_id = v_tenant;
    EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_table = TABLE_NAME, v_con = CONSTRAINT_NAME,
                                v_col = COLUMN_NAME, v_msg = MESSAGE_TEXT;
        PERFORM catalog.refuse_constraint(v_state, v_table, v_con, v_col, v_msg);
    END;
    RETURN catalog.product_doc(p_product_id);
END
$$;
COMMENT ON FUNCTION catalog.update_product(bigint, jsonb, bigint) IS
'Change some fields of a product of the caller''s tenant; returns the product (catalog.get_product''s shape).
p_changes takes the fields of catalog.create_product; a field present is set (JSON null or "" clears an optional one),
a field absent is kept. Status changes through publish / archive / unarchive only. Needs catalog.manage. Audited.
Assumes READ COMMITTED: locks the product. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH,
CATALOG_UNKNOWN_PRODUCT, CATALOG_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION catalog.set_product_status(p_product_id bigint, p_status text, p_tenant_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant  bigint := catalog.write_tenant(p_tenant_id);
    v_product catalog.product := catalog.lock_product(p_product_id, v_tenant);
BEGIN
    IF v_product.status <> p_status THEN
        -- the trigger product_status refuses what may not follow (ARCHIVED -> ACTIVE)
        UPDATE catalog.product
           SET status = p_status,
               published_at = CASE WHEN p_status = 'ACTIVE' THEN coalesce(published_at, now()) ELSE published_at END,
               updated_at = now()
         WHERE id = v_product.id;
    END IF;
    RETURN catalog.product_doc(v_product.id);
END
$$;
COMMENT ON FUNCTION catalog.set_product_status(bigint, text, bigint) IS
'Move a product of the tenant to p_status (ACTIVE sets published_at when it has none); the same status again changes
nothing. Internal: publish_product, archive_product and unarchive_product call it. Errors: those of write_tenant,
CATALOG_UNKNOWN_PRODUCT, CATALOG_INVALID_TRANSITION.';

CREATE OR REPLACE FUNCTION catalog.publish_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.set_product_status(p_product_id, 'ACTIVE', p_tenant_id);
COMMENT ON FUNCTION catalog.publish_product(bigint, bigint) IS
'Publish a DRAFT product of the caller''s tenant: ACTIVE, published_at set (kept if it was published before); returns
the product. Publishing an ACTIVE product again changes nothing; an ARCHIVED one is refused (unarchive it first).
Needs catalog.manage. Audited. Assumes READ COMMITTED: locks the product. Errors: IDENTITY_PERMISSION_DENIED,
IDENTITY_TENANT_MISMATCH, CATALOG_UNKNOWN_PRODUCT, CATALOG_INVALID_TRANSITION.';

CREATE OR REPLACE FUNCTION catalog.archive_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN catalog.set_product_status(p_product_id, 'ARCHIVED', p_tenant_id);
COMMENT ON FUNCTION catalog.archive_product(bigint, bigint) IS
'Archive a product of the caller''s tenant (DRAFT or ACTIVE -> ARCHIVED): no longer sold, takes no new variant, kept
with its history; returns the product. Archiving it again changes nothing. Needs catalog.manage. Audited. Assumes READ
COMMITTED: locks the product. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH, CATALOG_UNKNOWN_PRODUCT.';

CREATE OR REPLACE FUNCTION catalog.unarchive_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.write_tenant(p_tenant_id);
BEGIN
    IF (catalog.lock_product(p_product_id, v_tenant)).status <> 'ARCHIVED' THEN
        PERFORM core.raise('CATALOG_INVALID_TRANSITION', format('product %s is not ARCHIVED', p_product_id));
    END IF;
    RETURN catalog.set_product_status(p_product_id, 'DRAFT', v_tenant);
END
$$;
COMMENT ON FUNCTION catalog.unarchive_product(bigint, bigint) IS
'Bring an ARCHIVED product of the caller''s tenant back as a DRAFT (publish it again to sell it); returns the product.
Needs catalog.manage. Audited. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH, CATALOG_UNKNOWN_PRODUCT,
CATALOG_INVALID_TRANSITION (not archived).';

CREATE OR REPLACE FUNCTION catalog.get_product(p_product_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.read_tenant(p_tenant_id);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM catalog.product p WHERE p.id = p_product_id AND p.tenant_id = v_tenant) THEN
        PERFORM core.raise('CATALOG_UNKNOWN_PRODUCT', format('product %s', coalesce(p_product_id::text, 'NULL')));
    END IF;
    RETURN catalog.product_doc(p_product_id);
END
$$;
COMMENT ON FUNCTION catalog.get_product(bigint, bigint) IS
'A product of the caller''s tenant with its variants and channel ids, as JSON (amounts as strings). Any user of the
tenant; a platform user holding catalog.manage or the back office names the tenant. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_TENANT_MISMATCH, IDENTITY_PERMISSION_DENIED, CATALOG_UNKNOWN_PRODUCT.';

COMMIT;
