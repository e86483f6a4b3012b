-- Revert mercato:functions/orders/payments_external from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.record_external_payment(bigint, numeric, text, bigint);
DROP FUNCTION orders.record_external_payment_for(bigint, bigint, numeric, text);

COMMIT;
