-- Verify mercato:functions/inventory/guards on pg

BEGIN;

SELECT 'inventory.manage_tenant(bigint)'::regprocedure, 'inventory.variant_terms(bigint, bigint)'::regprocedure,
       'inventory.stock_id(bigint, bigint, bigint, boolean)'::regprocedure,
       'inventory.lock_variant_growth(bigint, bigint, integer, integer)'::regprocedure,
       'inventory.add_movement(bigint, bigint, text, integer, integer, numeric, text, text, text, text)'::regprocedure,
       'inventory.check_reference(text, text, text, boolean)'::regprocedure,
       'inventory.reservation_guard_trg()'::regprocedure;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'inventory.reservation'::regclass AND g.tgname = 'reservation_guard'
               AND g.tgfoid = 'inventory.reservation_guard_trg()'::regprocedure AND g.tgenabled <> 'D')::int;

ROLLBACK;
