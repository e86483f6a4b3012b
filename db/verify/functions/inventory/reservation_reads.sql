-- Verify mercato:functions/inventory/reservation_reads on pg

BEGIN;

SELECT 'inventory.live_reservations_for(bigint, text, text, text[], bigint)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'inventory.live_reservations_for(bigint, text, text, text[], bigint)',
                                                   'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
