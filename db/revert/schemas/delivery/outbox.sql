-- Revert mercato:schemas/delivery/outbox from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code = 'DELIVERY_NO_CONTACT';

COMMIT;
