-- Revert mercato:schemas/jobs from pg

BEGIN;

DROP SCHEMA jobs CASCADE;
DELETE FROM core.error WHERE module = 'jobs';

COMMIT;
