-- Revert mercato:functions/orders/refunds from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.refund_order(bigint, numeric, text, jsonb, text, bigint, bigint);

COMMIT;
