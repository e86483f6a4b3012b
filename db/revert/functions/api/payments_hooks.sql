-- Revert mercato:functions/api/payments_hooks from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.merchant_webhook_request(bigint, uuid);
DROP FUNCTION api.resolve_webhook_event(bigint, core.name_text, core.long_text);

COMMIT;
