-- Verify mercato:functions/orders/place on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['orders.place_in(bigint, boolean, bigint, jsonb, jsonb, text, uuid)'::regprocedure,
                    'orders.place_order(jsonb, jsonb, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
