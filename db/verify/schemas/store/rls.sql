-- Verify mercato:schemas/store/rls on pg
-- Existence and privileges only: each statement raises when one piece is missing.

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.oid = t::regclass AND c.relrowsecurity)::int
  FROM unnest(ARRAY['store.card', 'store.card_variant']) AS t;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = g.rel AND p.polname = g.name)::int
  FROM (VALUES ('store.card'::regclass, 'card_service'), ('store.card_variant'::regclass, 'card_variant_service'),
               ('store.card'::regclass, 'card_tenant'), ('store.card_variant'::regclass, 'card_variant_tenant')) AS g(rel, name);
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r, unnest(ARRAY['store.card', 'store.card_variant']) AS t;
-- read-only for the API roles, nothing for anonymous callers
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, p))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.card', 'store.card_variant']) AS t, unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) AS p;
SELECT 1 / (NOT pg_catalog.has_any_column_privilege('mercato_anon', t, 'SELECT'))::int
  FROM unnest(ARRAY['store.card', 'store.card_variant']) AS t;

ROLLBACK;
