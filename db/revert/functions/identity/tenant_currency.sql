-- Revert mercato:functions/identity/tenant_currency from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION identity.set_tenant_currency(bigint, text);

COMMIT;
