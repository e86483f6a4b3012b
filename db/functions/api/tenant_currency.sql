-- Deploy mercato:functions/api/tenant_currency to pg
-- API: api.set_tenant_currency (platform administrators, back office).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.set_tenant_currency(p_tenant_id bigint, p_currency core.name_text)
RETURNS text
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.set_tenant_currency(p_tenant_id, p_currency);
SELECT core.wrap('api.set_tenant_currency(bigint, core.name_text)', 'identity.set_tenant_currency(bigint, text)',
                 'Platform administrators (masterdata.manage); back office.', 'mercato_user', 'mercato_service');

COMMIT;
