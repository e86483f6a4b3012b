-- Revert mercato:functions/api/payments_intents from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.pay_qr(core.long_text, bigint, numeric, core.name_text);
DROP FUNCTION api.create_qr_code(bigint, bigint, core.name_text, core.name_text, core.finite_timestamptz);
DROP FUNCTION api.list_payment_intents(bigint, core.name_text, bigint, integer);
DROP FUNCTION api.get_payment_intent(bigint, core.name_text);
DROP FUNCTION api.refund_payment_intent(bigint, numeric, core.long_text, core.name_text);
DROP FUNCTION api.cancel_payment_intent(bigint, core.long_text);
DROP FUNCTION api.capture_payment_intent(bigint, numeric, core.name_text);
DROP FUNCTION api.confirm_payment_intent(bigint, core.json_doc, core.name_text, core.name_text);
DROP FUNCTION api.create_payment_intent(bigint, numeric, core.name_text, core.long_text, core.json_doc, core.name_text, core.json_doc, core.name_text);

COMMIT;
