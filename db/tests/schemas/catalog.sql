-- Tests for schemas/catalog: the tables' constraints as the owner writes them (the functions come later), composite
-- tenant keys, options unique per product, SKU unique per tenant, the permission, the guard triggers, audit.
BEGIN;
SELECT plan(23);

SELECT has_table('catalog', 'product', 'catalog.product');
SELECT has_table('catalog', 'product_channel', 'catalog.product_channel');
SELECT has_table('catalog', 'variant', 'catalog.variant');
SELECT set_eq($$SELECT r.code FROM identity.role r JOIN identity.role_permission rp ON rp.role_id = r.id
                 JOIN identity.permission p ON p.id = rp.permission_id WHERE p.code = 'catalog.manage' AND p.tenant_grantable$$,
              ARRAY['PLATFORM_ADMIN', 'TENANT_ADMIN'], 'catalog.manage is tenant-grantable, held by platform and tenant admins');

CREATE TEMP TABLE w AS SELECT identity.create_tenant('sc-a', 'A') AS a, identity.create_tenant('sc-b', 'B') AS b;
UPDATE identity.tenant SET currency = 'USD' WHERE code IN ('sc-a', 'sc-b');
CREATE TEMP TABLE p AS
WITH x AS (INSERT INTO catalog.product (tenant_id, title, description, vendor)
           SELECT a, 'Charizard Holo', 'Base set', 'Wizards' FROM w UNION ALL SELECT b, 'Sealed box', '', NULL FROM w
           RETURNING id, tenant_id)
SELECT (SELECT id FROM x WHERE tenant_id = (SELECT a FROM w)) AS pa, (SELECT id FROM x WHERE tenant_id = (SELECT b FROM w)) AS pb;

SELECT is((SELECT status FROM catalog.product WHERE id = (SELECT pa FROM p)), 'DRAFT', 'a product starts DRAFT');
SELECT throws_ok($$UPDATE catalog.product SET status = 'ACTIVE' WHERE id = (SELECT pa FROM p)$$, '23514', NULL,
                 'ACTIVE needs published_at');
SELECT lives_ok($$UPDATE catalog.product SET status = 'ACTIVE', published_at = now() WHERE id = (SELECT pa FROM p)$$,
                'ACTIVE with published_at');
SELECT throws_ok($$INSERT INTO catalog.product (tenant_id, title) SELECT a, '  ' FROM w$$, '23514', NULL, 'a blank title');
SELECT throws_ok($$INSERT INTO catalog.product (tenant_id, title, metadata) SELECT a, 'X', '[]' FROM w$$, '23514', NULL,
                 'metadata is an object');
SELECT ok((SELECT search @@ to_tsquery('simple', 'wizards') FROM catalog.product WHERE id = (SELECT pa FROM p)),
          'the search document holds the vendor');
SELECT is((SELECT ts_rank(search, to_tsquery('simple', 'charizard')) > ts_rank(search, to_tsquery('simple', 'base'))
             FROM catalog.product WHERE id = (SELECT pa FROM p)), true, 'a title word weighs more than a description word');

SELECT lives_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, option1)
                  SELECT a, pa, 'SKU-1', 10.50, 'NM' FROM w, p$$, 'a variant (currency from the tenant)');
SELECT is((SELECT currency::text FROM catalog.variant WHERE sku = 'SKU-1'), 'USD', 'in the tenant''s currency');
SELECT throws_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, option1)
                   SELECT b, pa, 'SKU-2', 1, 'LP' FROM w, p$$, '23503', NULL,
                 'a variant never points at another tenant''s product (composite key)');
SELECT throws_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, option1)
                   SELECT a, pa, 'SKU-1', 1, 'LP' FROM w, p$$, '23505', NULL, 'a SKU is unique per tenant');
SELECT lives_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price) SELECT b, pb, 'SKU-1', 1 FROM w, p$$,
                'the same SKU in another tenant');
SELECT throws_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, option1)
                   SELECT a, pa, 'SKU-3', 1, 'NM' FROM w, p$$, '23505', NULL, 'options are unique per product');
SELECT throws_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price) SELECT b, pb, 'SKU-4', 1 FROM w, p$$,
                 '23505', NULL, 'missing options count as equal');
SELECT throws_ok($$INSERT INTO catalog.variant (tenant_id, product_id, sku, price, option2) SELECT b, pb, 'SKU-5', 1, 'x' FROM w, p$$,
                 '23514', NULL, 'option2 needs option1');
SELECT throws_ok($$INSERT INTO catalog.product_channel (tenant_id, product_id, channel, external_id)
                   SELECT b, pa, 'EBAY', '1' FROM w, p$$, '23503', NULL, 'a channel id never points into another tenant');
SELECT throws_like($$UPDATE catalog.variant SET product_id = (SELECT pb FROM p) WHERE sku = 'SKU-1'$$, 'CATALOG_FIXED:%',
                   'a variant''s product never changes');
SELECT throws_like($$UPDATE catalog.product SET tenant_id = (SELECT b FROM w) WHERE id = (SELECT pa FROM p)$$, 'CATALOG_FIXED:%',
                   'a product''s tenant never changes');
SELECT ok((SELECT count(*) FROM audit.event WHERE entity_type IN ('catalog.product', 'catalog.variant')) >= 4,
          'products and variants are audited');

SELECT * FROM finish();
ROLLBACK;
