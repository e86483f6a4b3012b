-- Revert mercato:functions/payments/escrow_refunds from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER payment_escrow_refund_guard ON orders.payment;
DROP FUNCTION payments.cancel_shop_order(bigint, text);
DROP FUNCTION payments.escrow_refund_guard_trg();
DELETE FROM core.error WHERE code = 'PAYMENTS_ESCROW_HELD';

COMMIT;
