-- Verify mercato:functions/orders/fulfil on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['orders.fulfil_for(bigint, bigint, jsonb, text[], bigint)'::regprocedure,
                    'orders.fulfil(bigint, jsonb, text[], bigint, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
