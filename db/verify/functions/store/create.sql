-- Verify mercato:functions/store/create on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

-- internal: no API role executes them (the api wrappers of functions/api/store_create do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.create_card(jsonb, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint)'::regprocedure,
                    'store.create_card_variant(bigint, jsonb, text, text, text, text, numeric, text, integer, text, '
                    'numeric, numeric, numeric, numeric, text, bigint)'::regprocedure]) AS f;

ROLLBACK;
