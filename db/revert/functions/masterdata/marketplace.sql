-- Revert mercato:functions/masterdata/marketplace from pg
-- PLACEHOLDER

BEGIN;

COMMIT;
