-- Verify mercato:functions/store/distributors on pg
-- Existence and privileges only: each statement raises when a function is missing or an API role may execute one.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.purchasing_tenant(bigint)'::regprocedure,
                    'store.check_amount(bigint, text, numeric)'::regprocedure,
                    'store.check_text(text, text, integer)'::regprocedure,
                    'store.check_days(text, integer)'::regprocedure,
                    'store.create_distributor(text, text, jsonb, text, integer, text, numeric, integer, bigint)'::regprocedure,
                    'store.update_distributor(bigint, text, jsonb, text, integer, text, numeric, integer, boolean, bigint)'::regprocedure,
                    'store.set_distributor_item(bigint, bigint, numeric, text, boolean, bigint)'::regprocedure]) AS f;

ROLLBACK;
