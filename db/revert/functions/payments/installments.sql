-- Revert mercato:functions/payments/installments from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER installment_transition ON payments.installment;
DROP TRIGGER installment_plan_transition ON payments.installment_plan;
DROP FUNCTION payments.get_installment_plan(bigint);
DROP FUNCTION payments.cancel_installment_plan(bigint);
DROP FUNCTION payments.collect_due_installments(integer);
DROP FUNCTION payments.pay_installment(bigint);
DROP FUNCTION payments.settle_installment(bigint, text);
DROP FUNCTION payments.finish_installment(payments.installment_plan, payments.installment, jsonb, text, bigint);
DROP FUNCTION payments.lock_open_installment(bigint);
DROP FUNCTION payments.create_installment_plan(bigint, integer, integer, timestamptz);
DROP FUNCTION payments.plan_doc(bigint);
DROP FUNCTION payments.installment_transition_trg();
DROP FUNCTION payments.installment_plan_transition_trg();
DROP FUNCTION payments.installment_terms(text, timestamptz);
DROP FUNCTION payments.split_amount(numeric, integer, integer);

COMMIT;
