-- Revert mercato:functions/payments/webhooks from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.webhook_events(text, text, integer);
DROP FUNCTION payments.rail_acknowledge(bigint, uuid, text);
DROP FUNCTION payments.ingest_webhook(text, jsonb, text);
DROP FUNCTION payments.apply_webhook(bigint, payments.rail, jsonb);
DROP FUNCTION payments.status_outcome(payments.rail_instruction, payments.rail, jsonb);
DROP FUNCTION payments.parse_webhook(payments.rail, jsonb, text);
DROP FUNCTION payments.authenticate_webhook(payments.rail, jsonb, text, inet);
DROP FUNCTION payments.settle_instruction(bigint, text, text, text);
DROP FUNCTION payments.header(jsonb, text);

COMMIT;
