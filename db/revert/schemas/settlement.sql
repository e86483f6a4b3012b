-- Revert mercato:schemas/settlement from pg

BEGIN;

DROP SCHEMA settlement CASCADE;

COMMIT;
