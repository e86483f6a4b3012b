-- Verify mercato:functions/catalog/variants on pg
-- Existence and privileges only: a missing function fails its cast, a granted one divides by zero.

BEGIN;

-- no API role executes any of them (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['catalog.variant_fields()'::regprocedure,
                    'catalog.add_variant(bigint, jsonb, bigint)'::regprocedure,
                    'catalog.update_variant(bigint, jsonb, bigint)'::regprocedure,
                    'catalog.get_variant(bigint, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
