-- Verify mercato:functions/catalog/products on pg
-- Existence and privileges only: a missing function fails its cast, a granted one divides by zero.

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = 'product_status' AND t.tgrelid = 'catalog.product'::regclass
               AND t.tgfoid = 'catalog.product_status_trg()'::regprocedure AND t.tgenabled <> 'D')::int;
-- no API role executes any of them (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['catalog.product_status_trg()'::regprocedure,
                    'catalog.create_product(jsonb, bigint)'::regprocedure,
                    'catalog.lock_product(bigint, bigint)'::regprocedure,
                    'catalog.update_product(bigint, jsonb, bigint)'::regprocedure,
                    'catalog.set_product_status(bigint, text, bigint)'::regprocedure,
                    'catalog.publish_product(bigint, bigint)'::regprocedure,
                    'catalog.archive_product(bigint, bigint)'::regprocedure,
                    'catalog.unarchive_product(bigint, bigint)'::regprocedure,
                    'catalog.get_product(bigint, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
