-- Verify mercato:functions/inventory/locations on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['inventory.create_location(text, text, text, integer, boolean, bigint)'::regprocedure,
                    'inventory.update_location(bigint, text, integer, boolean, text, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
