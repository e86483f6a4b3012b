-- Revert mercato:schemas/delivery from pg

BEGIN;

DROP SCHEMA delivery CASCADE;

COMMIT;
