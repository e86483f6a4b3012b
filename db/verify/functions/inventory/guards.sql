-- Verify mercato:functions/inventory/guards on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['inventory.manage_tenant(bigint)'::regprocedure,
                    'inventory.variant_terms(bigint, bigint)'::regprocedure,
                    'inventory.stock_id(bigint, bigint, bigint, boolean)'::regprocedure,
                    'inventory.lock_variant_growth(bigint, bigint, integer, integer)'::regprocedure,
                    'inventory.add_movement(bigint, bigint, text, integer, integer, numeric, text, text, text, text)'::regprocedure,
                    'inventory.check_reference(text, text, text, boolean)'::regprocedure,
                    'inventory.reservation_guard_trg()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'inventory.reservation'::regclass AND g.tgname = 'reservation_guard'
               AND g.tgfoid = 'inventory.reservation_guard_trg()'::regprocedure AND g.tgenabled <> 'D')::int;

ROLLBACK;
