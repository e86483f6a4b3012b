-- Revert mercato:functions/payments/webhook_sender from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.merchant_webhook_request(bigint, uuid);

COMMIT;
