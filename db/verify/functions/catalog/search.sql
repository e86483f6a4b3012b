-- Verify mercato:functions/catalog/search on pg
-- Existence and privileges only: a missing function fails its cast, a granted one divides by zero.

BEGIN;

-- no API role executes any of them (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['catalog.search_cursor(numeric, bigint)'::regprocedure,
                    'catalog.parse_search_cursor(text)'::regprocedure,
                    'catalog.search(text, jsonb, integer, text, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
