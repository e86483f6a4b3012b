-- Revert mercato:functions/contracts from pg
-- PLACEHOLDER

BEGIN;

COMMIT;
