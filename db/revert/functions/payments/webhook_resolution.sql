-- Revert mercato:functions/payments/webhook_resolution from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.resolve_webhook_event(bigint, text, text);

COMMIT;
