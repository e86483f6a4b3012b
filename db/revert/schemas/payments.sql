-- Revert mercato:schemas/payments from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE module = 'payments';
DROP SCHEMA payments;

COMMIT;
