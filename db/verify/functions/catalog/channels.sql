-- Verify mercato:functions/catalog/channels on pg
-- Existence and privileges only: a missing function fails its cast, a granted one divides by zero.

BEGIN;

-- no API role executes any of them (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['catalog.link_channel(bigint, text, text, bigint)'::regprocedure,
                    'catalog.product_by_channel(text, text, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
