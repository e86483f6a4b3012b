-- Verify mercato:functions/identity/tiers on pg
-- PLACEHOLDER

BEGIN;

ROLLBACK;
