-- Verify mercato:functions/inventory/reservations on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['inventory.reserve_for(bigint, jsonb, text, text, text, timestamptz, text)'::regprocedure,
                    'inventory.reserve(jsonb, text, text, text, timestamptz, text, bigint)'::regprocedure,
                    'inventory.resolve_reservations(bigint, bigint[], text)'::regprocedure,
                    'inventory.release_for(bigint, bigint)'::regprocedure,
                    'inventory.release_reference_for(bigint, text, text, text)'::regprocedure,
                    'inventory.ship_for(bigint, bigint, integer)'::regprocedure,
                    'inventory.release(bigint, bigint)'::regprocedure,
                    'inventory.release_reference(text, text, text, bigint)'::regprocedure,
                    'inventory.ship(bigint, integer, bigint)'::regprocedure,
                    'inventory.expire_reservations(integer)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
