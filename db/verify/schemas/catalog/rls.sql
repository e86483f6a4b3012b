-- Verify mercato:schemas/catalog/rls on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.oid = t::regclass AND c.relrowsecurity)::int
  FROM unnest(ARRAY['catalog.product', 'catalog.product_channel', 'catalog.variant']) AS t;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.rel::regclass AND p.polname = x.name)::int
  FROM (VALUES ('catalog.product', 'product_tenant'), ('catalog.product_channel', 'product_channel_tenant'),
               ('catalog.variant', 'variant_tenant'), ('catalog.product', 'product_service'),
               ('catalog.product_channel', 'product_channel_service'), ('catalog.variant', 'variant_service')) AS x(rel, name);
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['catalog.product', 'catalog.product_channel', 'catalog.variant']) AS t;
SELECT 1 / pg_catalog.has_schema_privilege(r, 'catalog', 'USAGE')::int FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_table_privilege('mercato_anon', t, 'SELECT'))::int
  FROM unnest(ARRAY['catalog.product', 'catalog.product_channel', 'catalog.variant']) AS t;

ROLLBACK;
