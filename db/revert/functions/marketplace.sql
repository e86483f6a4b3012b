-- Revert mercato:functions/marketplace from pg
-- PLACEHOLDER

BEGIN;

COMMIT;
