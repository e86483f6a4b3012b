-- Revert mercato:functions/payments/order_intents from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER intent_refund_order_check ON payments.intent_refund;
DROP TRIGGER payment_intent_order_pay ON payments.payment_intent;
DROP TRIGGER payment_intent_order_lock ON payments.payment_intent;
DROP TRIGGER payment_intent_order_check ON payments.payment_intent;
DROP FUNCTION payments.intent_order_refund_trg();
DROP FUNCTION payments.intent_order_pay_trg();
DROP FUNCTION payments.intent_order_lock_trg();
DROP FUNCTION payments.intent_order_check_trg();
DROP FUNCTION payments.intent_order(bigint, jsonb);
DELETE FROM orders.payment_method WHERE code = 'PAYMENT_INTENT';

COMMIT;
