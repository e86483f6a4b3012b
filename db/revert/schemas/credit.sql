-- Revert mercato:schemas/credit from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE module = 'credit';
DROP SCHEMA credit;

COMMIT;
