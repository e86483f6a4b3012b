-- Verify mercato:schemas/catalog on pg
-- Existence and privileges only: each statement raises when one piece is missing.

BEGIN;

SELECT id, tenant_id, title, description, vendor, product_type, category, tags, seo_title, seo_description, metadata,
       status, published_at, created_at, updated_at, search
  FROM catalog.product WHERE false;
SELECT id, tenant_id, product_id, channel, external_id, created_at FROM catalog.product_channel WHERE false;
SELECT id, tenant_id, product_id, title, sku, barcode, currency, price, compare_at_price, cost, weight, weight_unit,
       requires_shipping, taxable, tax_code, option1, option2, option3, track_inventory, inventory_policy, max_quantity,
       status, metadata, created_at, updated_at
  FROM catalog.variant WHERE false;
SELECT 'catalog.product_tenant_id_id_idx'::regclass, 'catalog.product_search_idx'::regclass,
       'catalog.product_title_trgm_idx'::regclass, 'catalog.product_tags_idx'::regclass,
       'catalog.product_tenant_id_category_idx'::regclass, 'catalog.variant_product_id_tenant_id_options_key'::regclass,
       'catalog.variant_sku_trgm_idx'::regclass, 'catalog.variant_barcode_trgm_idx'::regclass;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.rel AND k.conname = c.name)::int
  FROM (VALUES ('catalog.product'::regclass, 'product_tenant_id_fkey'), ('catalog.product', 'product_title_check'),
               ('catalog.product', 'product_description_check'), ('catalog.product', 'product_vendor_check'),
               ('catalog.product', 'product_product_type_check'), ('catalog.product', 'product_category_check'),
               ('catalog.product', 'product_tags_check'), ('catalog.product', 'product_seo_title_check'),
               ('catalog.product', 'product_seo_description_check'), ('catalog.product', 'product_metadata_check'),
               ('catalog.product', 'product_status_check'), ('catalog.product', 'product_published_at_check'),
               ('catalog.product', 'product_id_tenant_id_key'), ('catalog.product', 'product_pkey'),
               ('catalog.product_channel', 'product_channel_pkey'), ('catalog.product_channel', 'product_channel_tenant_id_fkey'),
               ('catalog.product_channel', 'product_channel_channel_check'),
               ('catalog.product_channel', 'product_channel_external_id_check'),
               ('catalog.product_channel', 'product_channel_product_id_fkey'),
               ('catalog.product_channel', 'product_channel_tenant_id_channel_external_id_key'),
               ('catalog.product_channel', 'product_channel_product_id_tenant_id_channel_key'),
               ('catalog.variant', 'variant_pkey'), ('catalog.variant', 'variant_tenant_id_fkey'),
               ('catalog.variant', 'variant_title_check'), ('catalog.variant', 'variant_sku_check'),
               ('catalog.variant', 'variant_barcode_check'), ('catalog.variant', 'variant_price_check'),
               ('catalog.variant', 'variant_compare_at_price_check'), ('catalog.variant', 'variant_cost_check'),
               ('catalog.variant', 'variant_weight_check'), ('catalog.variant', 'variant_weight_unit_check'),
               ('catalog.variant', 'variant_tax_code_check'), ('catalog.variant', 'variant_option1_check'),
               ('catalog.variant', 'variant_option2_check'), ('catalog.variant', 'variant_option3_check'),
               ('catalog.variant', 'variant_inventory_policy_check'), ('catalog.variant', 'variant_max_quantity_check'),
               ('catalog.variant', 'variant_status_check'), ('catalog.variant', 'variant_metadata_check'),
               ('catalog.variant', 'variant_options_check'), ('catalog.variant', 'variant_product_id_fkey'),
               ('catalog.variant', 'variant_currency_fkey'), ('catalog.variant', 'variant_id_tenant_id_key'),
               ('catalog.variant', 'variant_tenant_id_sku_key')) AS c(rel, name);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = 'audit.track()'::regprocedure
               AND t.tgenabled <> 'D')::int
  FROM (VALUES ('product_audit', 'catalog.product'::regclass), ('variant_audit', 'catalog.variant'::regclass),
               ('product_channel_audit', 'catalog.product_channel'::regclass)) AS g(name, rel);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = 'core.refuse_change_trg()'::regprocedure
               AND t.tgenabled <> 'D')::int
  FROM (VALUES ('product_fixed', 'catalog.product'::regclass), ('variant_fixed', 'catalog.variant'::regclass),
               ('product_channel_fixed', 'catalog.product_channel'::regclass)) AS g(name, rel);
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['CATALOG_INVALID_INPUT', 'CATALOG_UNKNOWN_PRODUCT', 'CATALOG_UNKNOWN_VARIANT', 'CATALOG_SKU_TAKEN',
                    'CATALOG_OPTIONS_TAKEN', 'CATALOG_CHANNEL_ID_TAKEN', 'CATALOG_AMOUNT_SCALE', 'CATALOG_NO_CURRENCY',
                    'CATALOG_INVALID_TRANSITION', 'CATALOG_FIXED', 'CATALOG_INVALID_CURSOR']) AS c;
SELECT 1 / (SELECT count(*) FROM identity.permission p JOIN identity.role_permission rp ON rp.permission_id = p.id
              JOIN identity.role r ON r.id = rp.role_id
             WHERE p.code = 'catalog.manage' AND p.tenant_grantable AND r.code = c AND r.tenant_id IS NULL)::int
  FROM unnest(ARRAY['PLATFORM_ADMIN', 'TENANT_ADMIN']) AS c;
-- no API role writes the catalog (functions do)
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['catalog.product', 'catalog.product_channel', 'catalog.variant']) AS t;

ROLLBACK;
