-- Deploy mercato:schemas/catalog to pg
-- Shared module catalog (issue 18): what a tenant sells. Products (title, description, vendor, type, category, tags,
-- SEO fields, metadata, status DRAFT/ACTIVE/ARCHIVED), their external channel ids, and their variants (the sellable
-- units: SKU, barcode, price, compare-at price and cost in the tenant's currency, weight, shipping and tax flags, up to
-- three options, inventory tracking and policy, an optional maximum quantity). Knows no product: a store extends it
-- with tables of its own keyed by product_id / variant_id (1:1).
-- Tenancy: every row carries tenant_id; children reference their parent by (parent_id, tenant_id), so a row never
-- points into another tenant. Row-level security is schemas/catalog/rls; no API role reads or writes anything here
-- before it, and no API role ever writes: the catalog functions (SECURITY DEFINER) do.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE SCHEMA catalog;
COMMENT ON SCHEMA catalog IS
'Shared module: products, their channel ids and variants (the sellable units) of each tenant, with full-text and
trigram search. Knows no product kind: a store extends it with tables keyed by product_id / variant_id (docs/catalog.md).';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('CATALOG_INVALID_INPUT', 'catalog', 'PT400', 'the catalog input is malformed', NULL,
 'A catalog function''s argument is missing, out of range or of the wrong shape; the detail names the field and the '
 'reason. Nothing was written.'),
('CATALOG_UNKNOWN_PRODUCT', 'catalog', 'PT404', 'no such product', NULL,
 'No product of the caller''s tenant has this id (another tenant''s product is as if absent).'),
('CATALOG_UNKNOWN_VARIANT', 'catalog', 'PT404', 'no such variant', NULL,
 'No variant of the caller''s tenant has this id (another tenant''s variant is as if absent).'),
('CATALOG_SKU_TAKEN', 'catalog', 'PT409', 'another variant of the tenant has this SKU', 'choose another SKU',
 'A SKU is unique within a tenant (two tenants may use the same SKU). Nothing was written.'),
('CATALOG_OPTIONS_TAKEN', 'catalog', 'PT409', 'another variant of the product has these options', NULL,
 'option1..option3 are unique per product (a missing option counts as equal to another missing one). Nothing was '
 'written.'),
('CATALOG_CHANNEL_ID_TAKEN', 'catalog', 'PT409', 'this external id is linked to another product on that channel', NULL,
 'An external channel id is unique per tenant and channel. Nothing was written.'),
('CATALOG_AMOUNT_SCALE', 'catalog', 'PT400', 'an amount has more decimals than the tenant''s currency allows', NULL,
 'price, compare_at_price and cost are in the tenant''s currency with at most its minor units of decimals '
 '(masterdata.currency.minor_units); the detail names the field, the amount and the currency. Enforced by trigger '
 'whoever writes. Nothing was written.'),
('CATALOG_NO_CURRENCY', 'catalog', 'PT409', 'the tenant has no currency yet', 'the platform sets it (api.set_tenant_currency)',
 'Variants carry prices in the tenant''s currency, which the platform has not set yet.'),
('CATALOG_INVALID_TRANSITION', 'catalog', 'PT409', 'the product or variant cannot move to that status', NULL,
 'Products: DRAFT -> ACTIVE (published, published_at set), DRAFT/ACTIVE -> ARCHIVED, ARCHIVED -> DRAFT (unarchive). '
 'An ARCHIVED product takes no new variant. The detail names the current and the asked status.'),
('CATALOG_FIXED', 'catalog', 'PT409', 'a catalog row''s tenant, and a variant''s or channel id''s product, never change',
 NULL, 'Guard triggers on catalog.product (tenant_id), catalog.variant and catalog.product_channel (tenant_id, '
 'product_id), whoever writes.'),
('CATALOG_INVALID_CURSOR', 'catalog', 'PT400', 'the search cursor is malformed', 'pass back the cursor a page returned',
 'catalog.search: a cursor is the opaque next_cursor of the previous page of the same query.');

INSERT INTO identity.permission (code, description, tenant_grantable) VALUES
('catalog.manage', 'Create and change a tenant''s products, variants and channel ids.', true);
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code IN ('PLATFORM_ADMIN', 'TENANT_ADMIN') AND r.tenant_id IS NULL AND p.code = 'catalog.manage';

CREATE TABLE catalog.product (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT product_pkey PRIMARY KEY,
    tenant_id       bigint NOT NULL CONSTRAINT product_tenant_id_fkey REFERENCES identity.tenant (id),
    title           text NOT NULL CONSTRAINT product_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 500),
    description     text NOT NULL DEFAULT '' CONSTRAINT product_description_check CHECK (length(description) <= 10000),
    vendor          text CONSTRAINT product_vendor_check CHECK (length(btrim(vendor)) BETWEEN 1 AND 200),
    product_type    text CONSTRAINT product_product_type_check CHECK (length(btrim(product_type)) BETWEEN 1 AND 200),
    category        text CONSTRAINT product_category_check CHECK (length(btrim(category)) BETWEEN 1 AND 200),
    tags            text[] NOT NULL DEFAULT '{}'
                    CONSTRAINT product_tags_check CHECK (cardinality(tags) <= 100 AND array_position(tags, NULL) IS NULL),
    seo_title       text CONSTRAINT product_seo_title_check CHECK (length(seo_title) <= 200),
    seo_description text CONSTRAINT product_seo_description_check CHECK (length(seo_description) <= 1000),
    metadata        jsonb NOT NULL DEFAULT '{}' CONSTRAINT product_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    status          text NOT NULL DEFAULT 'DRAFT'
                    CONSTRAINT product_status_check CHECK (status IN ('DRAFT', 'ACTIVE', 'ARCHIVED')),
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    search          tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A')
                        || setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'B')
                        || setweight(to_tsvector('simple'::regconfig, coalesce(vendor, '')), 'C')) STORED,
    CONSTRAINT product_published_at_check CHECK (status <> 'ACTIVE' OR published_at IS NOT NULL),
    CONSTRAINT product_id_tenant_id_key UNIQUE (id, tenant_id)
);
COMMENT ON TABLE catalog.product IS
'A product of a tenant: title, description, vendor, type, category, tags, SEO fields, metadata (an object), status
DRAFT -> ACTIVE (published: published_at set, CHECK) -> ARCHIVED, and the generated full-text document search. Its
variants are the sellable units. Written only by the catalog functions; audited.';
COMMENT ON COLUMN catalog.product.search IS
'Generated full-text document (''simple'' configuration): the title weighted A, the description B, the vendor C; the
GIN index product_search_idx serves catalog.search.';
COMMENT ON COLUMN catalog.product.published_at IS
'When the product was (first) published; required while ACTIVE (product_published_at_check).';
-- a tenant's products in id order: keyset pages, the tenant's foreign key
CREATE INDEX product_tenant_id_id_idx ON catalog.product (tenant_id, id);
CREATE INDEX product_search_idx ON catalog.product USING gin (search);
CREATE INDEX product_title_trgm_idx ON catalog.product USING gin (lower(title) public.gin_trgm_ops);
CREATE INDEX product_tags_idx ON catalog.product USING gin (tags);
CREATE INDEX product_tenant_id_category_idx ON catalog.product (tenant_id, category) WHERE category IS NOT NULL;

CREATE TABLE catalog.product_channel (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT product_channel_pkey PRIMARY KEY,
    tenant_id   bigint NOT NULL CONSTRAINT product_channel_tenant_id_fkey REFERENCES identity.tenant (id),
    product_id  bigint NOT NULL,
    channel     text NOT NULL
                CONSTRAINT product_channel_channel_check
                CHECK (channel IN ('ONLINE_STORE', 'TCGPLAYER', 'EBAY', 'AMAZON', 'POS')),
    external_id text NOT NULL CONSTRAINT product_channel_external_id_check CHECK (length(btrim(external_id)) BETWEEN 1 AND 256),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT product_channel_product_id_fkey FOREIGN KEY (product_id, tenant_id)
        REFERENCES catalog.product (id, tenant_id),
    CONSTRAINT product_channel_tenant_id_channel_external_id_key UNIQUE (tenant_id, channel, external_id),
    -- one id per product and channel (tenant_id: the product's own, so that the key also serves the foreign key)
    CONSTRAINT product_channel_product_id_tenant_id_channel_key UNIQUE (product_id, tenant_id, channel)
);
COMMENT ON TABLE catalog.product_channel IS
'A product''s id on an external sales channel (ONLINE_STORE, TCGPLAYER, EBAY, AMAZON, POS): one per product and
channel, and an external id names one product per tenant and channel. Written only by catalog.link_channel.';

CREATE TABLE catalog.variant (
    id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT variant_pkey PRIMARY KEY,
    tenant_id         bigint NOT NULL CONSTRAINT variant_tenant_id_fkey REFERENCES identity.tenant (id),
    product_id        bigint NOT NULL,
    title             text NOT NULL DEFAULT '' CONSTRAINT variant_title_check CHECK (length(title) <= 500),
    sku               text NOT NULL CONSTRAINT variant_sku_check CHECK (sku ~ '^[^[:space:]](.{0,98}[^[:space:]])?$'),
    barcode           text CONSTRAINT variant_barcode_check CHECK (barcode ~ '^[^[:space:]](.{0,126}[^[:space:]])?$'),
    currency          char(3) NOT NULL,
    price             numeric NOT NULL CONSTRAINT variant_price_check CHECK (price >= 0 AND price < 1e15),
    compare_at_price  numeric CONSTRAINT variant_compare_at_price_check CHECK (compare_at_price >= 0 AND compare_at_price < 1e15),
    cost              numeric CONSTRAINT variant_cost_check CHECK (cost >= 0 AND cost < 1e15),
    weight            numeric CONSTRAINT variant_weight_check CHECK (weight >= 0 AND weight < 1e9),
    weight_unit       text NOT NULL DEFAULT 'g' CONSTRAINT variant_weight_unit_check CHECK (weight_unit IN ('g', 'kg', 'oz', 'lb')),
    requires_shipping boolean NOT NULL DEFAULT true,
    taxable           boolean NOT NULL DEFAULT true,
    tax_code          text CONSTRAINT variant_tax_code_check CHECK (length(btrim(tax_code)) BETWEEN 1 AND 64),
    option1           text CONSTRAINT variant_option1_check CHECK (length(btrim(option1)) BETWEEN 1 AND 200),
    option2           text CONSTRAINT variant_option2_check CHECK (length(btrim(option2)) BETWEEN 1 AND 200),
    option3           text CONSTRAINT variant_option3_check CHECK (length(btrim(option3)) BETWEEN 1 AND 200),
    track_inventory   boolean NOT NULL DEFAULT true,
    inventory_policy  text NOT NULL DEFAULT 'DENY'
                      CONSTRAINT variant_inventory_policy_check CHECK (inventory_policy IN ('DENY', 'CONTINUE')),
    max_quantity      integer CONSTRAINT variant_max_quantity_check CHECK (max_quantity > 0),
    status            text NOT NULL DEFAULT 'ACTIVE' CONSTRAINT variant_status_check CHECK (status IN ('ACTIVE', 'ARCHIVED')),
    metadata          jsonb NOT NULL DEFAULT '{}' CONSTRAINT variant_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT variant_options_check CHECK ((option2 IS NULL OR option1 IS NOT NULL) AND (option3 IS NULL OR option2 IS NOT NULL)),
    CONSTRAINT variant_product_id_fkey FOREIGN KEY (product_id, tenant_id) REFERENCES catalog.product (id, tenant_id),
    -- the tenant's own currency, nothing else (identity.tenant_id_currency_key); filled in by the trigger variant_money
    CONSTRAINT variant_currency_fkey FOREIGN KEY (tenant_id, currency) REFERENCES identity.tenant (id, currency),
    CONSTRAINT variant_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT variant_tenant_id_sku_key UNIQUE (tenant_id, sku)
);
COMMENT ON TABLE catalog.variant IS
'A sellable unit of a product: SKU (unique per tenant), barcode, price, compare-at price and cost in the tenant''s
currency (currency: always the tenant''s, by foreign key; at most its minor units of decimals, by trigger), weight and
unit (g, kg, oz, lb), shipping and tax flags, up to three options (unique per product), inventory tracking and policy
(DENY: never sell what is not available; CONTINUE: may backorder), max_quantity (a one-of-a-kind item has 1: stock never
holds more across all locations), status ACTIVE/ARCHIVED, metadata. Written only by the catalog functions; audited.';
COMMENT ON COLUMN catalog.variant.currency IS
'The currency of price, compare_at_price and cost: the tenant''s (foreign key (tenant_id, currency) to identity.tenant),
set by the trigger variant_money from the tenant.';
COMMENT ON COLUMN catalog.variant.max_quantity IS
'At most this many units in stock across every location (NULL: no limit); 1 for a one-of-a-kind item such as a graded
slab. The inventory module enforces it.';
COMMENT ON COLUMN catalog.variant.title IS
'The variant''s title, option values joined by " / " unless given (orders snapshot it).';
-- options unique per product, a missing option equal to another missing one (tenant_id: the product's own, so that the
-- index also serves the foreign key variant_product_id_fkey and a product's variants)
CREATE UNIQUE INDEX variant_product_id_tenant_id_options_key
    ON catalog.variant (product_id, tenant_id, coalesce(option1, ''), coalesce(option2, ''), coalesce(option3, ''));
CREATE INDEX variant_sku_trgm_idx ON catalog.variant USING gin (lower(sku) public.gin_trgm_ops);
CREATE INDEX variant_barcode_trgm_idx ON catalog.variant USING gin (barcode public.gin_trgm_ops) WHERE barcode IS NOT NULL;

CREATE TRIGGER product_audit AFTER INSERT OR UPDATE OR DELETE ON catalog.product
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER variant_audit AFTER INSERT OR UPDATE OR DELETE ON catalog.variant
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER product_fixed BEFORE UPDATE OF tenant_id ON catalog.product
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CATALOG_FIXED');
CREATE TRIGGER variant_fixed BEFORE UPDATE OF tenant_id, product_id ON catalog.variant
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CATALOG_FIXED');
CREATE TRIGGER product_channel_fixed BEFORE UPDATE OF tenant_id, product_id ON catalog.product_channel
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CATALOG_FIXED');
CREATE TRIGGER product_channel_audit AFTER INSERT OR UPDATE OR DELETE ON catalog.product_channel
    FOR EACH ROW EXECUTE FUNCTION audit.track('product_id');

COMMIT;
