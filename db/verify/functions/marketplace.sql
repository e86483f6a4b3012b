-- Verify mercato:functions/marketplace on pg
-- PLACEHOLDER

BEGIN;

ROLLBACK;
