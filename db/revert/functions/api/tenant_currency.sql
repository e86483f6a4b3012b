-- Revert mercato:functions/api/tenant_currency from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.set_tenant_currency(bigint, core.name_text);

COMMIT;
