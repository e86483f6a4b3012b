-- Revert mercato:functions/payments/intents from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER intent_refund_platform_object ON payments.intent_refund;
DROP TRIGGER payment_intent_no_delete ON payments.payment_intent;
DROP TRIGGER payment_intent_log ON payments.payment_intent;
DROP TRIGGER payment_intent_guard ON payments.payment_intent;
DROP FUNCTION payments.expire_intents(integer);
DROP FUNCTION payments.list_intents(bigint, text, bigint, integer);
DROP FUNCTION payments.get_intent(bigint, text);
DROP FUNCTION payments.external_share_failed(bigint, text);
DROP FUNCTION payments.external_share_funded(bigint, bigint);
DROP FUNCTION payments.refund_intent(bigint, numeric, text, text);
DROP FUNCTION payments.cancel_intent(bigint, text);
DROP FUNCTION payments.capture_intent(bigint, numeric, text);
DROP FUNCTION payments.confirm_intent(bigint, jsonb, text, text);
DROP FUNCTION payments.create_intent(bigint, numeric, text, text, jsonb, text, jsonb, text);
DROP FUNCTION payments.settle_if_ready(bigint);
DROP FUNCTION payments.capture_shares(payments.payment_intent, numeric);
DROP FUNCTION payments.unwind_shares(bigint, integer, text);
DROP FUNCTION payments.plan_shares(payments.payment_intent, jsonb, integer);
DROP FUNCTION payments.intent_secret_ok(bigint, text);
DROP FUNCTION payments.intent_client_secret(bigint);
DROP FUNCTION payments.intent_refund_platform_object_trg();
DROP FUNCTION payments.intent_pays_platform_object(jsonb);
DROP FUNCTION payments.check_amount(numeric, text, text);
DROP FUNCTION payments.lock_intent(bigint);
DROP FUNCTION payments.intent_role(payments.payment_intent);
DROP FUNCTION payments.intent_json(bigint);
DROP FUNCTION payments.payment_intent_log_trg();
DROP FUNCTION payments.payment_intent_guard_trg();

COMMIT;
