-- Deploy mercato:functions/catalog/common to pg
-- What every catalog use case shares: whose catalog a call acts on (catalog.write_tenant / read_tenant), reading the
-- JSON documents the write functions take (catalog.doc_*: each refusal names the field), turning a constraint the
-- database refused into a catalogued code (catalog.refuse_constraint) and the JSON shape of a product and a variant
-- (catalog.product_doc, variant_doc). Internal: no API role executes any of them.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- whose catalog -------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION catalog.resolve_tenant(p_tenant_id bigint)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor  identity.actor;
    v_tenant bigint := p_tenant_id;
BEGIN
    IF NOT identity.is_service() THEN
        v_actor := identity.require_user();
        IF v_actor.tenant_id IS NOT NULL THEN
            -- a tenant's user acts on its own tenant (identity.my_tenant_id()): who it is decides, not the parameter
            IF p_tenant_id IS NOT NULL AND p_tenant_id <> v_actor.tenant_id THEN
                PERFORM core.raise('IDENTITY_TENANT_MISMATCH',
                                   format('user %s is of tenant %s, not %s', v_actor.user_id, v_actor.tenant_id, p_tenant_id));
            END IF;
            v_tenant := v_actor.tenant_id;
        END IF;
    END IF;
    IF v_tenant IS NULL THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', 'p_tenant_id: a platform user or the back office names the tenant');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM identity.tenant t WHERE t.id = v_tenant) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_TENANT', format('tenant %s', v_tenant));
    END IF;
    RETURN v_tenant;
END
$$;
COMMENT ON FUNCTION catalog.resolve_tenant(bigint) IS
'The tenant a catalog call acts on: a tenant''s user its own (p_tenant_id NULL or the same, else
IDENTITY_TENANT_MISMATCH); a platform user or the back office the tenant it names (CATALOG_INVALID_INPUT without one).
Internal. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_TENANT_MISMATCH, CATALOG_INVALID_INPUT,
IDENTITY_UNKNOWN_TENANT.';

CREATE OR REPLACE FUNCTION catalog.write_tenant(p_tenant_id bigint)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.resolve_tenant(p_tenant_id);
BEGIN
    PERFORM identity.require_permission('catalog.manage', v_tenant);
    RETURN v_tenant;
END
$$;
COMMENT ON FUNCTION catalog.write_tenant(bigint) IS
'The tenant whose catalog a write changes (catalog.resolve_tenant), once the caller holds catalog.manage there (the back
office passes). Internal. Errors: those of resolve_tenant, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION catalog.read_tenant(p_tenant_id bigint)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := catalog.resolve_tenant(p_tenant_id);
BEGIN
    -- a tenant's user reads its own catalog (as row-level security lets it); a platform user needs catalog.manage
    IF NOT identity.is_service() AND identity.my_tenant_id() IS NULL THEN
        PERFORM identity.require_permission('catalog.manage', v_tenant);
    END IF;
    RETURN v_tenant;
END
$$;
COMMENT ON FUNCTION catalog.read_tenant(bigint) IS
'The tenant whose catalog a read shows: any user of the tenant its own; a platform user the one it names, holding
catalog.manage (platform-wide); the back office any. Internal. Errors: those of resolve_tenant,
IDENTITY_PERMISSION_DENIED.';

-- reading documents ---------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION catalog.doc_keys(p_doc jsonb, p_allowed text[])
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key text;
BEGIN
    IF p_doc IS NULL OR jsonb_typeof(p_doc) <> 'object' THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', 'the document must be a JSON object');
    END IF;
    SELECT k INTO v_key FROM jsonb_object_keys(p_doc) k WHERE k <> ALL (p_allowed) ORDER BY k LIMIT 1;
    IF v_key IS NOT NULL THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT',
                           format('%s: unknown field (allowed: %s)', left(v_key, 100), array_to_string(p_allowed, ', ')));
    END IF;
    RETURN p_doc;
END
$$;
COMMENT ON FUNCTION catalog.doc_keys(jsonb, text[]) IS
'p_doc itself when it is a JSON object whose keys are all among p_allowed; CATALOG_INVALID_INPUT naming the first
unknown key otherwise. Internal.';

CREATE OR REPLACE FUNCTION catalog.doc_text(p_doc jsonb, p_key text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'string' THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: a string', p_key));
    END IF;
    RETURN nullif(btrim(v #>> '{}'), '');
END
$$;
COMMENT ON FUNCTION catalog.doc_text(jsonb, text) IS
'The string member p_key of p_doc, trimmed; NULL when absent, JSON null or blank; CATALOG_INVALID_INPUT naming the
field when it is not a string. Internal.';

CREATE OR REPLACE FUNCTION catalog.doc_numeric(p_doc jsonb, p_key text)
RETURNS numeric
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
    n numeric;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) NOT IN ('number', 'string') OR length(v #>> '{}') > 40 THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: a decimal number (a JSON number or string)', p_key));
    END IF;
    BEGIN
        n := (v #>> '{}')::numeric;
    EXCEPTION WHEN invalid_text_representation THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: %s is not a decimal number', p_key, v #>> '{}'));
    END;
    IF n = 'NaN'::numeric OR n IN ('Infinity'::numeric, '-Infinity'::numeric) THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: a finite decimal number', p_key));
    END IF;
    RETURN n;
END
$$;
COMMENT ON FUNCTION catalog.doc_numeric(jsonb, text) IS
'The decimal member p_key of p_doc (a JSON number or a string such as "12.50", scale kept); NULL when absent or JSON
null; CATALOG_INVALID_INPUT naming the field when it is anything else, NaN or infinite. Internal.';

CREATE OR REPLACE FUNCTION catalog.doc_int(p_doc jsonb, p_key text)
RETURNS integer
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n numeric := catalog.doc_numeric(p_doc, p_key);
BEGIN
    IF n IS NOT NULL AND (n <> trunc(n) OR abs(n) > 2147483647) THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: a whole number', p_key));
    END IF;
    RETURN n::integer;
END
$$;
COMMENT ON FUNCTION catalog.doc_int(jsonb, text) IS
'The whole-number member p_key of p_doc; NULL when absent or JSON null; CATALOG_INVALID_INPUT naming the field
otherwise. Internal.';

CREATE OR REPLACE FUNCTION catalog.doc_bool(p_doc jsonb, p_key text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'boolean' THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: true or false', p_key));
    END IF;
    RETURN v::boolean;
END
$$;
COMMENT ON FUNCTION catalog.doc_bool(jsonb, text) IS
'The boolean member p_key of p_doc; NULL when absent or JSON null; CATALOG_INVALID_INPUT naming the field otherwise.
Internal.';

CREATE OR REPLACE FUNCTION catalog.doc_object(p_doc jsonb, p_key text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'object' THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: a JSON object', p_key));
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION catalog.doc_object(jsonb, text) IS
'The object member p_key of p_doc; NULL when absent or JSON null; CATALOG_INVALID_INPUT naming the field otherwise.
Internal.';

CREATE OR REPLACE FUNCTION catalog.doc_tags(p_doc jsonb, p_key text)
RETURNS text[]
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := p_doc -> p_key;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(v) <> 'array' OR jsonb_array_length(v) > 100
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(v) e
                   WHERE jsonb_typeof(e) <> 'string' OR length(btrim(e #>> '{}')) NOT BETWEEN 1 AND 100) THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: at most 100 strings of 1 to 100 characters', p_key));
    END IF;
    RETURN ARRAY(SELECT DISTINCT btrim(e) FROM jsonb_array_elements_text(v) e ORDER BY 1);
END
$$;
COMMENT ON FUNCTION catalog.doc_tags(jsonb, text) IS
'The tag list p_key of p_doc: at most 100 strings of 1 to 100 characters, trimmed, deduplicated and sorted; NULL when
absent or JSON null; CATALOG_INVALID_INPUT naming the field otherwise. Internal.';

-- refusals ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION catalog.refuse_constraint(p_sqlstate text, p_table text, p_constraint text, p_column text,
                                                     p_message text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_def   text;
    v_field text;
BEGIN
    IF p_sqlstate = '23505' THEN
        IF p_constraint = 'variant_tenant_id_sku_key' THEN
            PERFORM core.raise('CATALOG_SKU_TAKEN', 'sku');
        ELSIF p_constraint = 'variant_product_id_tenant_id_options_key' THEN
            PERFORM core.raise('CATALOG_OPTIONS_TAKEN', 'option1, option2, option3');
        ELSIF p_constraint = 'product_channel_tenant_id_channel_external_id_key' THEN
            PERFORM core.raise('CATALOG_CHANNEL_ID_TAKEN', 'external_id');
        END IF;
    ELSIF p_sqlstate = '23502' THEN
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: required', p_column));
    ELSIF p_sqlstate = '23514' THEN
        SELECT pg_get_constraintdef(k.oid) INTO v_def
          FROM pg_constraint k
         WHERE k.conname = p_constraint AND k.conrelid = to_regclass('catalog.' || quote_ident(p_table));
        v_field := regexp_replace(p_constraint, '^(product_channel|product|variant)_(.*)_check$', '\2');
        PERFORM core.raise('CATALOG_INVALID_INPUT', format('%s: must satisfy %s', v_field, coalesce(v_def, p_constraint)));
    END IF;
    PERFORM core.raise('CATALOG_INVALID_INPUT', left(p_message, 500));
END
$$;
COMMENT ON FUNCTION catalog.refuse_constraint(text, text, text, text, text) IS
'Raise the catalogued code for a constraint the database refused in a catalog write: SKU, options and channel id
uniqueness as CATALOG_SKU_TAKEN, CATALOG_OPTIONS_TAKEN, CATALOG_CHANNEL_ID_TAKEN; a CHECK or NOT NULL (and any other data
error) as CATALOG_INVALID_INPUT, the detail naming the field and the rule. Always raises. Internal.';

-- shapes ----------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION catalog.variant_doc(p_variant catalog.variant)
RETURNS jsonb
LANGUAGE sql
STABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN jsonb_build_object(
    'id', p_variant.id, 'tenant_id', p_variant.tenant_id, 'product_id', p_variant.product_id, 'title', p_variant.title,
    'sku', p_variant.sku, 'barcode', p_variant.barcode, 'currency', p_variant.currency,
    'price', p_variant.price::text, 'compare_at_price', p_variant.compare_at_price::text, 'cost', p_variant.cost::text,
    'weight', p_variant.weight::text, 'weight_unit', p_variant.weight_unit,
    'requires_shipping', p_variant.requires_shipping, 'taxable', p_variant.taxable, 'tax_code', p_variant.tax_code,
    'option1', p_variant.option1, 'option2', p_variant.option2, 'option3', p_variant.option3,
    'track_inventory', p_variant.track_inventory, 'inventory_policy', p_variant.inventory_policy,
    'max_quantity', p_variant.max_quantity, 'status', p_variant.status, 'metadata', p_variant.metadata,
    'created_at', p_variant.created_at, 'updated_at', p_variant.updated_at);
COMMENT ON FUNCTION catalog.variant_doc(catalog.variant) IS
'A variant as JSON (amounts as strings, so that no client turns them into floats). Internal.';

CREATE OR REPLACE FUNCTION catalog.product_doc(p_product_id bigint)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT jsonb_build_object(
            'id', p.id, 'tenant_id', p.tenant_id, 'title', p.title, 'description', p.description, 'vendor', p.vendor,
            'product_type', p.product_type, 'category', p.category, 'tags', to_jsonb(p.tags), 'seo_title', p.seo_title,
            'seo_description', p.seo_description, 'metadata', p.metadata, 'status', p.status,
            'published_at', p.published_at, 'created_at', p.created_at, 'updated_at', p.updated_at,
            'variants', coalesce((SELECT jsonb_agg(catalog.variant_doc(v) ORDER BY v.id) FROM catalog.variant v
                                   WHERE v.product_id = p.id AND v.tenant_id = p.tenant_id), '[]'),
            'channels', coalesce((SELECT jsonb_agg(jsonb_build_object('channel', c.channel, 'external_id', c.external_id)
                                                   ORDER BY c.channel)
                                    FROM catalog.product_channel c WHERE c.product_id = p.id AND c.tenant_id = p.tenant_id),
                                 '[]'))
          FROM catalog.product p WHERE p.id = p_product_id);
COMMENT ON FUNCTION catalog.product_doc(bigint) IS
'A product as JSON with its variants (catalog.variant_doc, by id) and channel ids; NULL when there is none. Internal:
callers check the tenant first.';

COMMIT;
