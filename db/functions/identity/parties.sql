-- Deploy mercato:functions/identity/parties to pg
-- Which business or provider is calling, and the marketplace's parties: registration, verification, vehicles,
-- insurance.

BEGIN;

INSERT INTO identity.permission (code, description) VALUES
('marketplace.admin', 'Verify businesses, providers, vehicles and insurance; act on any RFQ, contract or delivery.');
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code = 'PLATFORM_ADMIN' AND p.code = 'marketplace.admin';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_NOT_A_BUSINESS', 'identity', 'PT403', 'the caller is not a registered business',
 'register the business first (identity.register_business)', 'The calling user owns no business.'),
('IDENTITY_NOT_A_PROVIDER', 'identity', 'PT403', 'the caller is not a registered provider',
 'register the provider first (identity.register_provider)', 'The calling user owns no provider.');

CREATE FUNCTION identity.is_marketplace_admin()
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    IF identity.is_service() THEN
        RETURN true;
    END IF;
    v_actor := identity.current_actor();
    RETURN v_actor.user_id IS NOT NULL AND v_actor.status = 'ACTIVE'
       AND identity.has_permission(v_actor.user_id, 'marketplace.admin');
END
$$;
COMMENT ON FUNCTION identity.is_marketplace_admin() IS
'True when the caller is the service role or an active user holding marketplace.admin (platform-wide).';

CREATE FUNCTION identity.current_business()
RETURNS identity.business
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor    identity.actor := identity.require_user();
    v_business identity.business;
BEGIN
    SELECT * INTO v_business FROM identity.business WHERE user_id = v_actor.user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_NOT_A_BUSINESS', format('user %s', v_actor.user_id));
    END IF;
    RETURN v_business;
END
$$;
COMMENT ON FUNCTION identity.current_business() IS
'The business owned by the calling user (from request.jwt.claims). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_NOT_A_BUSINESS.';

CREATE FUNCTION identity.current_provider()
RETURNS identity.provider
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor    identity.actor := identity.require_user();
    v_provider identity.provider;
BEGIN
    SELECT * INTO v_provider FROM identity.provider WHERE user_id = v_actor.user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_NOT_A_PROVIDER', format('user %s', v_actor.user_id));
    END IF;
    RETURN v_provider;
END
$$;
COMMENT ON FUNCTION identity.current_provider() IS
'The provider owned by the calling user (from request.jwt.claims). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_NOT_A_PROVIDER.';

CREATE FUNCTION identity.vehicle_insured(p_vehicle_id bigint, p_from date, p_to date)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT coalesce(
        (SELECT daterange(p_from, p_to, '[]') <@ range_agg(daterange(i.coverage_start, i.coverage_end, '[]'))
           FROM identity.vehicle_insurance i
          WHERE i.vehicle_id = p_vehicle_id AND i.status = 'VERIFIED'
            AND daterange(i.coverage_start, i.coverage_end, '[]') && daterange(p_from, p_to, '[]')),
        false);
END;
COMMENT ON FUNCTION identity.vehicle_insured(bigint, date, date) IS
'True when VERIFIED insurance policies of the vehicle together cover every day of [p_from, p_to] (inclusive; several
consecutive or overlapping policies may share the period). False for an unknown vehicle or an empty period.';

GRANT EXECUTE ON FUNCTION identity.is_marketplace_admin(), identity.current_business(), identity.current_provider(),
    identity.vehicle_insured(bigint, date, date) TO mercato_user, mercato_service;

COMMIT;
