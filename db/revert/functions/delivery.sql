-- Revert mercato:functions/delivery from pg
-- PLACEHOLDER

BEGIN;

COMMIT;
