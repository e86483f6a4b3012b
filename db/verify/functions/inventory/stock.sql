-- Verify mercato:functions/inventory/stock on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['inventory.check_quantity(text, integer, integer)'::regprocedure,
                    'inventory.receive_in(bigint, bigint, bigint, integer, numeric, text, text, text, text, text)'::regprocedure,
                    'inventory.receive(bigint, bigint, integer, numeric, text, text, text, text, text, bigint)'::regprocedure,
                    'inventory.refuse_insufficient(bigint, bigint, bigint, integer, text)'::regprocedure,
                    'inventory.adjust(bigint, bigint, integer, text, text, text, text, bigint)'::regprocedure,
                    'inventory.count(bigint, bigint, integer, integer, timestamptz, bigint)'::regprocedure,
                    'inventory.transfer(bigint, bigint, bigint, integer, text, bigint)'::regprocedure,
                    'inventory.set_unavailable(bigint, bigint, integer, bigint)'::regprocedure,
                    'inventory.set_stock_settings(bigint, bigint, integer, integer, integer, timestamptz, bigint)'::regprocedure,
                    'inventory.set_channel_buffer(bigint, bigint, text, integer, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
