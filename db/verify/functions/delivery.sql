-- Verify mercato:functions/delivery on pg
-- PLACEHOLDER

BEGIN;

ROLLBACK;
