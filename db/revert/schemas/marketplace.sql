-- Revert mercato:schemas/marketplace from pg

BEGIN;

DROP SCHEMA marketplace CASCADE;

COMMIT;
