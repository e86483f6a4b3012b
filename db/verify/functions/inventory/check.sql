-- Verify mercato:functions/inventory/check on pg
-- Existence only: the check is a full scan and never runs here.

BEGIN;

SELECT 'inventory.check()'::regprocedure;

ROLLBACK;
