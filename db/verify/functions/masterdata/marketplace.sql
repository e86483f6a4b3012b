-- Verify mercato:functions/masterdata/marketplace on pg
-- PLACEHOLDER

BEGIN;

ROLLBACK;
