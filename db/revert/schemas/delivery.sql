-- Revert mercato:schemas/delivery from pg

BEGIN;

DELETE FROM core.error WHERE module = 'delivery';
DELETE FROM core.secret WHERE table_schema = 'delivery';
DROP SCHEMA delivery CASCADE;

COMMIT;
