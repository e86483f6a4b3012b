-- Verify mercato:functions/store/cards on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

-- internal: no API role executes them (the api wrappers of functions/api/store do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.manager_tenant(bigint)'::regprocedure,
                    'store.add_card(bigint, text, text, text, text, text, numeric, text[], jsonb, jsonb, bigint)'::regprocedure,
                    'store.grade_input_problem(text, text, numeric)'::regprocedure,
                    'store.add_card_variant(bigint, text, text, text, text, numeric, text, integer, text, numeric, numeric, '
                    'numeric, numeric, text, bigint)'::regprocedure]) AS f;

ROLLBACK;
