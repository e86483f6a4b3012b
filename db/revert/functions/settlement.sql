-- Revert mercato:functions/settlement from pg
-- PLACEHOLDER

BEGIN;

COMMIT;
