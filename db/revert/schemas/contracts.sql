-- Revert mercato:schemas/contracts from pg

BEGIN;

DROP SCHEMA contracts CASCADE;

COMMIT;
