-- Revert mercato:functions/payments/invoice_intents from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER payment_intent_invoice_apply ON payments.payment_intent;
DROP TRIGGER payment_intent_invoice_check ON payments.payment_intent;
DROP FUNCTION payments.intent_invoice_apply_trg();
DROP FUNCTION payments.intent_invoice_check_trg();
ALTER TABLE payments.invoice_payment DROP CONSTRAINT invoice_payment_intent_id_fkey;

COMMIT;
