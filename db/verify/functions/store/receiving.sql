-- Verify mercato:functions/store/receiving on pg
-- Existence and privileges only: each statement raises when a function is missing or an API role may execute one.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.receive_purchase_order(bigint, jsonb, text, bigint)'::regprocedure]) AS f;

ROLLBACK;
