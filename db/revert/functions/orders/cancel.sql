-- Revert mercato:functions/orders/cancel from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.cancel_order(bigint, text, bigint);

COMMIT;
