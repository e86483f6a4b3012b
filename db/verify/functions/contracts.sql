-- Verify mercato:functions/contracts on pg
-- PLACEHOLDER

BEGIN;

ROLLBACK;
