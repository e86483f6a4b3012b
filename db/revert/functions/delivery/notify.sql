-- Revert mercato:functions/delivery/notify from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION delivery.send_code(bigint, text);

COMMIT;
