-- Verify mercato:functions/settlement on pg
-- PLACEHOLDER

BEGIN;

ROLLBACK;
