-- Deploy mercato:functions/payments/merchants to pg
-- Merchants (docs/payments.md): a signed-in user registers a MERCHANT organization and becomes its OWNER, with its
-- wallet in KES; members are managed with identity's organization api (api.add_member, set_member_role, ...). Who acts
-- for a merchant is decided by payments.require_merchant (identity.acts_for: the JWT claim "org", the role).
-- All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.require_merchant(p_organization_id bigint, p_min_role text DEFAULT 'STAFF')
RETURNS identity.organization
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org identity.organization;
BEGIN
    SELECT * INTO v_org FROM identity.organization WHERE id = p_organization_id AND kind = 'MERCHANT';
    IF FOUND AND identity.is_service() THEN
        RETURN v_org;
    END IF;
    PERFORM identity.require_user();
    IF NOT FOUND OR NOT identity.acts_for(p_organization_id, p_min_role) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_MERCHANT', format('merchant %s', p_organization_id));
    END IF;
    RETURN v_org;
END
$$;
COMMENT ON FUNCTION payments.require_merchant(bigint, text) IS
'The MERCHANT organization, if the caller acts for it with at least p_min_role (STAFF < ADMIN < OWNER;
identity.acts_for, so an "org" claim naming another organization refuses) or is the back office (service role).
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, PAYMENTS_UNKNOWN_MERCHANT (404, also for a merchant the
caller does not act for).';

CREATE OR REPLACE FUNCTION payments.register_merchant(p_name text, p_currency text DEFAULT 'KES')
RETURNS TABLE (organization_id bigint, wallet_id bigint)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_org   bigint;
BEGIN
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 256 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'name must be 1-256 characters');
    END IF;
    v_org := identity.open_organization('MERCHANT', v_actor.tenant_id, p_name, v_actor.user_id);
    organization_id := v_org;
    wallet_id := payments.wallet_for('ORG', v_org, coalesce(p_currency, 'KES'));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION payments.register_merchant(text, text) IS
'Register a merchant: a MERCHANT organization of the caller''s tenant named p_name, the caller its OWNER, and its wallet
in p_currency (KES by default) opened; returns both ids. Members then come through identity''s organization api.
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, PAYMENTS_INVALID_INPUT, MASTERDATA_UNKNOWN_CURRENCY.';

REVOKE ALL ON FUNCTION payments.require_merchant(bigint, text), payments.register_merchant(text, text) FROM PUBLIC;

COMMIT;
