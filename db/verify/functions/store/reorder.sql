-- Verify mercato:functions/store/reorder on pg
-- Existence and privileges only: each statement raises when a function is missing or an API role may execute one.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.reorder_suggestion_rows(bigint, bigint)'::regprocedure,
                    'store.reorder_suggestions(bigint, bigint)'::regprocedure,
                    'store.create_reorder_purchase_orders(bigint, bigint)'::regprocedure]) AS f;

-- its helper of the api view exists (api roles execute it once functions/api/store_purchasing grants it)
SELECT 'store.visible_reorder_suggestions()'::regprocedure;

ROLLBACK;
