-- Revert mercato:functions/payments/escrow from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER goods_escrow_transition ON payments.goods_escrow;
DROP FUNCTION payments.get_escrow(bigint);
DROP FUNCTION payments.release_due_escrows(integer);
DROP FUNCTION payments.refund_escrow(bigint, text);
DROP FUNCTION payments.resolve_dispute(bigint, numeric, text);
DROP FUNCTION payments.open_dispute(bigint, text);
DROP FUNCTION payments.confirm_delivery(bigint);
DROP FUNCTION payments.escrow_for_caller(bigint, text);
DROP FUNCTION payments.settle_escrow(payments.goods_escrow, numeric, text, text, bigint);
DROP FUNCTION payments.lock_escrow(bigint, boolean);
DROP FUNCTION payments.hold_in_escrow(payments.shop, orders.payment, bigint);
DROP FUNCTION payments.escrow_doc(bigint);
DROP FUNCTION payments.escrow_transition_trg();
DROP FUNCTION payments.metadata_id(jsonb, text);

COMMIT;
