-- Revert mercato:functions/payments/installment_intents from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER payment_intent_installment_pay ON payments.payment_intent;
DROP TRIGGER payment_intent_installment_lock ON payments.payment_intent;
DROP TRIGGER payment_intent_installment_check ON payments.payment_intent;
DROP FUNCTION payments.intent_installment_pay_trg();
DROP FUNCTION payments.intent_installment_lock_trg();
DROP FUNCTION payments.intent_installment_check_trg();

COMMIT;
