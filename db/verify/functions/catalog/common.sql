-- Verify mercato:functions/catalog/common on pg
-- Existence and privileges only: a missing function fails its cast, a granted one divides by zero.

BEGIN;

-- no API role executes any of them (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['catalog.resolve_tenant(bigint)'::regprocedure,
                    'catalog.write_tenant(bigint)'::regprocedure,
                    'catalog.read_tenant(bigint)'::regprocedure,
                    'catalog.doc_keys(jsonb, text[])'::regprocedure,
                    'catalog.doc_text(jsonb, text)'::regprocedure,
                    'catalog.doc_numeric(jsonb, text)'::regprocedure,
                    'catalog.doc_int(jsonb, text)'::regprocedure,
                    'catalog.doc_bool(jsonb, text)'::regprocedure,
                    'catalog.doc_object(jsonb, text)'::regprocedure,
                    'catalog.doc_tags(jsonb, text)'::regprocedure,
                    'catalog.refuse_constraint(text, text, text, text, text)'::regprocedure,
                    'catalog.variant_doc(catalog.variant)'::regprocedure,
                    'catalog.product_doc(bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
