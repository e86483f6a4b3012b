-- Revert mercato:functions/identity/tiers from pg
-- PLACEHOLDER

BEGIN;

COMMIT;
