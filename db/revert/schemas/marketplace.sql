-- Revert mercato:schemas/marketplace from pg

BEGIN;

DELETE FROM core.error WHERE module = 'marketplace';
DELETE FROM core.secret WHERE table_schema = 'marketplace';
DROP SCHEMA marketplace CASCADE;

COMMIT;
