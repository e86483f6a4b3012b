-- Revert mercato:functions/payments/merchants from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.register_merchant(text, text);
DROP FUNCTION payments.require_merchant(bigint, text);

COMMIT;
