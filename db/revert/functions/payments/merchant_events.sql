-- Revert mercato:functions/payments/merchant_events from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.merchant_deliveries(bigint, text, bigint, text, bigint, integer);
DROP FUNCTION payments.replay_merchant_event(bigint, bigint);
DROP FUNCTION payments.emit_merchant_event(bigint, text, bigint, text, jsonb);
DROP FUNCTION payments.deliver_merchant_event(bigint, bigint);
DROP FUNCTION payments.webhook_endpoints(bigint);
DROP FUNCTION payments.rotate_webhook_secret(bigint, integer);
DROP FUNCTION payments.update_webhook_endpoint(bigint, text, text[], text);
DROP FUNCTION payments.create_webhook_endpoint(bigint, text, text[]);
DROP FUNCTION payments.require_endpoint(bigint);
DROP FUNCTION payments.verify_webhook_signature(bigint, text, text, timestamptz, integer);
DROP FUNCTION payments.webhook_signature(bigint, bigint, text, timestamptz);
DROP FUNCTION payments.new_webhook_secret(bigint);

COMMIT;
