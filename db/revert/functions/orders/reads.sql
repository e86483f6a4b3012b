-- Revert mercato:functions/orders/reads from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.list_orders(text, text, bigint, bigint, integer, bigint);
DROP FUNCTION orders.get_order(bigint, bigint);

COMMIT;
