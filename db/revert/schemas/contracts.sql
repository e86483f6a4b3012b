-- Revert mercato:schemas/contracts from pg

BEGIN;

DELETE FROM core.secret WHERE table_schema = 'contracts';
DROP SCHEMA contracts CASCADE;

COMMIT;
