-- Verify mercato:functions/inventory/locations on pg

BEGIN;

SELECT 'inventory.create_location(text, text, text, integer, boolean, bigint)'::regprocedure,
       'inventory.update_location(bigint, text, integer, boolean, text, bigint)'::regprocedure;

ROLLBACK;
