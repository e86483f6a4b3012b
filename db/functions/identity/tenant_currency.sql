-- Deploy mercato:functions/identity/tenant_currency to pg
-- identity.set_tenant_currency: the platform (a platform administrator holding masterdata.manage, or the back office)
-- sets a tenant's currency once (issue 18). The code is read as text and refused with MASTERDATA_UNKNOWN_CURRENCY
-- unless it is three letters of an active currency (a char(3) argument would fail with a raw 22001 first).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.set_tenant_currency(p_tenant_id bigint, p_currency text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_code    text := upper(btrim(p_currency));
    v_current char(3);
BEGIN
    -- masterdata.manage held platform-wide (p_tenant_id NULL matches platform assignments only), or the back office
    PERFORM identity.require_permission('masterdata.manage');
    IF v_code IS NULL OR v_code !~ '^[A-Z]{3}$' OR NOT EXISTS (SELECT 1 FROM masterdata.currency c WHERE c.code = v_code AND c.is_active) THEN
        PERFORM core.raise('MASTERDATA_UNKNOWN_CURRENCY', format('currency %s', left(coalesce(p_currency, 'NULL'), 20)));
    END IF;
    SELECT t.currency INTO v_current FROM identity.tenant t WHERE t.id = p_tenant_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_TENANT', format('tenant %s', coalesce(p_tenant_id::text, 'NULL')));
    END IF;
    IF v_current IS NOT NULL AND v_current <> v_code THEN
        PERFORM core.raise('IDENTITY_TENANT_CURRENCY_SET', format('tenant %s is in %s', p_tenant_id, v_current));
    END IF;
    IF v_current IS NULL THEN
        UPDATE identity.tenant SET currency = v_code, updated_at = now() WHERE id = p_tenant_id;
    END IF;
    RETURN v_code;
END
$$;
COMMENT ON FUNCTION identity.set_tenant_currency(bigint, text) IS
'Set a tenant''s currency once (an active masterdata currency code); returns it.
Setting another currency later is refused, the same one again is accepted (idempotent). Needs masterdata.manage platform-wide (a platform administrator)
or the back office. Audited (identity.tenant). Assumes READ COMMITTED: locks the tenant row. Errors:
IDENTITY_NOT_AUTHENTICATED, IDENTITY_PERMISSION_DENIED, MASTERDATA_UNKNOWN_CURRENCY, IDENTITY_UNKNOWN_TENANT,
IDENTITY_TENANT_CURRENCY_SET.';

COMMIT;
