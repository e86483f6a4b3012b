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
 'register the provider first (identity.register_provider)', 'The calling user owns no provider.'),
('IDENTITY_ALREADY_REGISTERED', 'identity', 'PT409', 'the calling user already owns a business or provider',
 NULL, 'A user owns at most one business or one provider.'),
('IDENTITY_WRONG_USER_TYPE', 'identity', 'PT403', 'this user type cannot do that',
 NULL, 'Only BUSINESS users register businesses and only PROVIDER users register providers.'),
('IDENTITY_UNKNOWN_BUSINESS', 'identity', 'PT404', 'no such business', NULL, 'The business id does not exist.'),
('IDENTITY_UNKNOWN_PROVIDER', 'identity', 'PT404', 'no such provider', NULL, 'The provider id does not exist.'),
('IDENTITY_UNKNOWN_VEHICLE', 'identity', 'PT404', 'no such vehicle',
 NULL, 'The vehicle id does not exist or belongs to another provider (answered alike).'),
('IDENTITY_UNKNOWN_INSURANCE', 'identity', 'PT404', 'no such insurance policy', NULL, 'The insurance id does not exist.'),
('IDENTITY_PLATE_TAKEN', 'identity', 'PT409', 'a vehicle with this plate number is already registered',
 NULL, 'Plate numbers are unique platform-wide (compared upper-case, single-spaced).'),
('IDENTITY_PARTY_INVALID', 'identity', 'PT400', 'a business, provider, vehicle or insurance field is malformed',
 NULL, 'The detail names the field and what it must be.');

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


CREATE FUNCTION identity.require_admin()
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT identity.is_marketplace_admin() THEN
        PERFORM identity.require_permission('marketplace.admin');
    END IF;
END
$$;
COMMENT ON FUNCTION identity.require_admin() IS
'Insist that the caller is the service role or a marketplace admin. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_PERMISSION_DENIED.';

CREATE FUNCTION identity.check_party_text(p_value text, p_field text, p_max integer, p_required boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_value IS NULL OR btrim(p_value) = '' THEN
        IF p_required THEN
            PERFORM core.raise('IDENTITY_PARTY_INVALID', format('%s is required', p_field));
        END IF;
        RETURN NULL;
    ELSIF length(btrim(p_value)) > p_max THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', format('%s is longer than %s characters', p_field, p_max));
    END IF;
    RETURN btrim(p_value);
END
$$;
COMMENT ON FUNCTION identity.check_party_text(text, text, integer, boolean) IS
'A trimmed text field, or IDENTITY_PARTY_INVALID when it is missing (and required) or too long.';

CREATE FUNCTION identity.check_tin(p_tin text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_tin IS NOT NULL AND p_tin !~ '^[A-Za-z0-9-]{4,64}$' THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_tin_number must be 4-64 letters, digits or dashes');
    END IF;
    RETURN p_tin;
END
$$;
COMMENT ON FUNCTION identity.check_tin(text) IS 'A taxpayer number (4-64 letters, digits, dashes) or IDENTITY_PARTY_INVALID.';

CREATE FUNCTION identity.register_business(p_name text, p_business_type text, p_tin_number text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_id    bigint;
BEGIN
    IF v_actor.user_type <> 'BUSINESS' THEN
        PERFORM core.raise('IDENTITY_WRONG_USER_TYPE', format('user %s is %s, not BUSINESS', v_actor.user_id, v_actor.user_type));
    END IF;
    -- One party per user: lock the user row so two concurrent registrations cannot both pass.
    PERFORM 1 FROM identity.user_account WHERE id = v_actor.user_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM identity.business WHERE user_id = v_actor.user_id)
       OR EXISTS (SELECT 1 FROM identity.provider WHERE user_id = v_actor.user_id) THEN
        PERFORM core.raise('IDENTITY_ALREADY_REGISTERED', format('user %s', v_actor.user_id));
    END IF;
    INSERT INTO identity.business (user_id, tenant_id, name, business_type, tin_number)
    VALUES (v_actor.user_id, v_actor.tenant_id, identity.check_party_text(p_name, 'p_name', 256),
            identity.check_party_text(p_business_type, 'p_business_type', 64), identity.check_tin(p_tin_number))
    RETURNING id INTO v_id;
    UPDATE identity.business
       SET wallet_account_id = ledger.open_account('BUSINESS', v_id::text, 'MAIN', masterdata.setting_text('MARKETPLACE_CURRENCY'))
     WHERE id = v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.register_business(text, text, text) IS
'A BUSINESS user registers its business (PENDING_KYB, tier STANDARD) and gets its MAIN wallet in the marketplace
currency; returns the business id. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, IDENTITY_WRONG_USER_TYPE,
IDENTITY_ALREADY_REGISTERED, IDENTITY_PARTY_INVALID. Locks the user row. Assumes READ COMMITTED.';

CREATE FUNCTION identity.register_provider(p_provider_type text, p_name text, p_tin_number text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_id    bigint;
BEGIN
    IF v_actor.user_type <> 'PROVIDER' THEN
        PERFORM core.raise('IDENTITY_WRONG_USER_TYPE', format('user %s is %s, not PROVIDER', v_actor.user_id, v_actor.user_type));
    END IF;
    IF p_provider_type IS NULL OR p_provider_type NOT IN ('INDIVIDUAL', 'AGENT', 'COMPANY') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_provider_type must be INDIVIDUAL, AGENT or COMPANY');
    END IF;
    PERFORM 1 FROM identity.user_account WHERE id = v_actor.user_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM identity.business WHERE user_id = v_actor.user_id)
       OR EXISTS (SELECT 1 FROM identity.provider WHERE user_id = v_actor.user_id) THEN
        PERFORM core.raise('IDENTITY_ALREADY_REGISTERED', format('user %s', v_actor.user_id));
    END IF;
    INSERT INTO identity.provider (user_id, tenant_id, provider_type, name, tin_number, trust_score)
    VALUES (v_actor.user_id, v_actor.tenant_id, p_provider_type, identity.check_party_text(p_name, 'p_name', 256),
            identity.check_tin(p_tin_number), masterdata.setting_number('TRUST_SCORE_INITIAL')::smallint)
    RETURNING id INTO v_id;
    UPDATE identity.provider
       SET wallet_account_id = ledger.open_account('PROVIDER', v_id::text, 'MAIN', masterdata.setting_text('MARKETPLACE_CURRENCY'))
     WHERE id = v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.register_provider(text, text, text) IS
'A PROVIDER user registers its provider (INDIVIDUAL, AGENT or COMPANY; PENDING_VERIFICATION, tier BRONZE, trust score
TRUST_SCORE_INITIAL) and gets its MAIN wallet; returns the provider id. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, IDENTITY_WRONG_USER_TYPE, IDENTITY_ALREADY_REGISTERED, IDENTITY_PARTY_INVALID.
Locks the user row. Assumes READ COMMITTED.';

CREATE FUNCTION identity.set_business_kyb(p_business_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM identity.require_admin();
    IF p_status IS NULL OR p_status NOT IN ('PENDING_KYB', 'VERIFIED', 'REJECTED', 'SUSPENDED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be PENDING_KYB, VERIFIED, REJECTED or SUSPENDED');
    END IF;
    UPDATE identity.business SET kyb_status = p_status, updated_at = now() WHERE id = p_business_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_BUSINESS', format('business %s', p_business_id));
    END IF;
END
$$;
COMMENT ON FUNCTION identity.set_business_kyb(bigint, text) IS
'Set a business''s KYB status (only VERIFIED businesses publish RFQs). Caller: marketplace admin or service role.
Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_PARTY_INVALID, IDENTITY_UNKNOWN_BUSINESS. Assumes READ COMMITTED.';

CREATE FUNCTION identity.set_provider_verification(p_provider_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM identity.require_admin();
    IF p_status IS NULL OR p_status NOT IN ('PENDING_VERIFICATION', 'VERIFIED', 'REJECTED', 'SUSPENDED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be PENDING_VERIFICATION, VERIFIED, REJECTED or SUSPENDED');
    END IF;
    UPDATE identity.provider SET verification_status = p_status, updated_at = now() WHERE id = p_provider_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_PROVIDER', format('provider %s', p_provider_id));
    END IF;
END
$$;
COMMENT ON FUNCTION identity.set_provider_verification(bigint, text) IS
'Set a provider''s verification status (only VERIFIED providers bid). Caller: marketplace admin or service role.
Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_PARTY_INVALID, IDENTITY_UNKNOWN_PROVIDER. Assumes READ COMMITTED.';

CREATE FUNCTION identity.add_vehicle(
    p_plate_number text, p_vehicle_type text, p_seat_count integer, p_engine_type text DEFAULT NULL,
    p_brand text DEFAULT NULL, p_model text DEFAULT NULL, p_tags text[] DEFAULT '{}', p_images jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider identity.provider := identity.current_provider();
    v_plate    text := upper(regexp_replace(btrim(coalesce(p_plate_number, '')), '\s+', ' ', 'g'));
    v_id       bigint;
BEGIN
    IF v_plate !~ '^[A-Z0-9][A-Z0-9 -]{1,30}$' THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_plate_number must be 2-31 letters, digits, spaces or dashes');
    ELSIF p_seat_count IS NULL OR p_seat_count NOT BETWEEN 1 AND 100 THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_seat_count must be 1-100');
    ELSIF cardinality(p_tags) > 20 OR EXISTS (SELECT 1 FROM unnest(p_tags) t WHERE t IS NULL OR length(t) NOT BETWEEN 1 AND 40) THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_tags: at most 20 tags of 1-40 characters');
    ELSIF p_images IS NULL OR jsonb_typeof(p_images) <> 'object'
          OR jsonb_path_exists(p_images, '$.* ? (@.type() != "string" || !(@ like_regex "^https?://[^[:space:]]+$"))') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_images must be a JSON object of view -> http(s) URL');
    END IF;
    PERFORM masterdata.lookup_id('VEHICLE_TYPE', p_vehicle_type);   -- MASTERDATA_UNKNOWN_LOOKUP when it is not one
    IF p_engine_type IS NOT NULL THEN
        PERFORM masterdata.lookup_id('ENGINE_TYPE', p_engine_type);
    END IF;
    BEGIN
        INSERT INTO identity.vehicle (provider_id, plate_number, vehicle_type, engine_type, seat_count, brand, model, tags, images)
        VALUES (v_provider.id, v_plate, p_vehicle_type, p_engine_type, p_seat_count,
                identity.check_party_text(p_brand, 'p_brand', 128, false), identity.check_party_text(p_model, 'p_model', 128, false),
                coalesce(p_tags, '{}'), p_images)
        RETURNING id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        PERFORM core.raise('IDENTITY_PLATE_TAKEN', format('plate %s', v_plate));
    END;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.add_vehicle(text, text, integer, text, text, text, text[], jsonb) IS
'A provider registers one of its vehicles (UNDER_REVIEW until an admin activates it); returns the vehicle id. The plate
is normalised (upper case, single spaces) and unique platform-wide; types are checked against the VEHICLE_TYPE and
ENGINE_TYPE lookups; p_images maps a view (front, back, ...) to an http(s) URL. Errors: IDENTITY_NOT_A_PROVIDER,
IDENTITY_PARTY_INVALID, MASTERDATA_UNKNOWN_LOOKUP,
IDENTITY_PLATE_TAKEN (409, also against a
concurrent registration of the same plate). Assumes READ COMMITTED.';

CREATE FUNCTION identity.set_vehicle_status(p_vehicle_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_admin    boolean := identity.is_marketplace_admin();
    v_provider bigint;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('UNDER_REVIEW', 'ACTIVE', 'SUSPENDED', 'RETIRED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be UNDER_REVIEW, ACTIVE, SUSPENDED or RETIRED');
    END IF;
    IF NOT v_admin AND p_status <> 'RETIRED' THEN
        PERFORM identity.require_admin();   -- raises: only admins review vehicles
    END IF;
    IF NOT v_admin THEN
        v_provider := (identity.current_provider()).id;
    END IF;
    UPDATE identity.vehicle SET status = p_status, updated_at = now()
     WHERE id = p_vehicle_id AND (v_admin OR provider_id = v_provider);
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_VEHICLE', format('vehicle %s', p_vehicle_id));
    END IF;
END
$$;
COMMENT ON FUNCTION identity.set_vehicle_status(bigint, text) IS
'Review a vehicle (admin: UNDER_REVIEW, ACTIVE, SUSPENDED, RETIRED) or retire one''s own (provider: RETIRED).
Errors: IDENTITY_PARTY_INVALID, IDENTITY_PERMISSION_DENIED, IDENTITY_NOT_A_PROVIDER, IDENTITY_UNKNOWN_VEHICLE.
Assumes READ COMMITTED.';

CREATE FUNCTION identity.add_vehicle_insurance(
    p_vehicle_id bigint, p_insurance_type text, p_company_name text, p_coverage_start date, p_coverage_end date,
    p_certificate_url text, p_policy_number text DEFAULT NULL, p_insured_amount numeric DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider identity.provider := identity.current_provider();
    v_id       bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM identity.vehicle WHERE id = p_vehicle_id AND provider_id = v_provider.id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_VEHICLE', format('vehicle %s', p_vehicle_id));
    ELSIF p_insurance_type IS NULL OR p_insurance_type NOT IN ('THIRD_PARTY', 'COMPREHENSIVE') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_insurance_type must be THIRD_PARTY or COMPREHENSIVE');
    ELSIF p_coverage_start IS NULL OR p_coverage_end IS NULL OR NOT isfinite(p_coverage_start) OR NOT isfinite(p_coverage_end)
          OR p_coverage_end < p_coverage_start THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_coverage_start and p_coverage_end are required finite dates, start <= end');
    ELSIF p_certificate_url IS NULL OR p_certificate_url !~ '^https?://' OR length(p_certificate_url) > 2000 THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_certificate_url must be an http(s) URL');
    ELSIF p_insured_amount IS NOT NULL AND (p_insured_amount <= 0 OR p_insured_amount >= 1e15) THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_insured_amount must be positive');
    END IF;
    INSERT INTO identity.vehicle_insurance (vehicle_id, insurance_type, company_name, policy_number, insured_amount,
                                            coverage_start, coverage_end, certificate_url)
    VALUES (p_vehicle_id, p_insurance_type, identity.check_party_text(p_company_name, 'p_company_name', 256),
            identity.check_party_text(p_policy_number, 'p_policy_number', 128, false), p_insured_amount,
            p_coverage_start, p_coverage_end, p_certificate_url)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric) IS
'A provider files an insurance policy for one of its vehicles (PENDING_VERIFICATION until an admin verifies it);
returns its id. Errors: IDENTITY_NOT_A_PROVIDER, IDENTITY_UNKNOWN_VEHICLE, IDENTITY_PARTY_INVALID. Assumes READ COMMITTED.';

CREATE FUNCTION identity.verify_insurance(p_insurance_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM identity.require_admin();
    IF p_status IS NULL OR p_status NOT IN ('VERIFIED', 'REJECTED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be VERIFIED or REJECTED');
    END IF;
    UPDATE identity.vehicle_insurance SET status = p_status WHERE id = p_insurance_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_INSURANCE', format('insurance %s', p_insurance_id));
    END IF;
END
$$;
COMMENT ON FUNCTION identity.verify_insurance(bigint, text) IS
'Verify or reject an insurance policy (only VERIFIED policies count for assignments). Caller: marketplace admin or
service role. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_PARTY_INVALID, IDENTITY_UNKNOWN_INSURANCE.';

CREATE FUNCTION identity.expiring_insurance(p_within_days integer DEFAULT 30)
RETURNS TABLE (insurance_id bigint, vehicle_id bigint, plate_number text, provider_id bigint, company_name text,
               coverage_end date, days_left integer)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_admin    boolean := identity.is_marketplace_admin();
    v_provider bigint;
BEGIN
    IF p_within_days IS NULL OR p_within_days NOT BETWEEN 0 AND 3650 THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_within_days must be 0-3650');
    END IF;
    IF NOT v_admin THEN
        v_provider := (identity.current_provider()).id;
    END IF;
    RETURN QUERY
    SELECT i.id, v.id, v.plate_number, v.provider_id, i.company_name, i.coverage_end, (i.coverage_end - current_date)::integer
      FROM identity.vehicle_insurance i JOIN identity.vehicle v ON v.id = i.vehicle_id
     WHERE i.status = 'VERIFIED' AND i.coverage_end BETWEEN current_date AND current_date + p_within_days
       AND v.status <> 'RETIRED' AND (v_admin OR v.provider_id = v_provider)
     ORDER BY i.coverage_end, i.id;
END
$$;
COMMENT ON FUNCTION identity.expiring_insurance(integer) IS
'VERIFIED insurance policies ending within p_within_days days (today included): a provider sees its own, an admin
all. Errors: IDENTITY_PARTY_INVALID, IDENTITY_NOT_A_PROVIDER. Uses the coverage_end index.';

CREATE FUNCTION identity.my_vehicles()
RETURNS SETOF identity.vehicle
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT v.* FROM identity.vehicle v WHERE v.provider_id = (identity.current_provider()).id ORDER BY v.id;
END;
COMMENT ON FUNCTION identity.my_vehicles() IS 'The calling provider''s vehicles. Error: IDENTITY_NOT_A_PROVIDER.';

CREATE FUNCTION identity.top_up_business(p_business_id bigint, p_amount numeric, p_reference text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wallet   bigint;
    v_currency text := masterdata.setting_text('MARKETPLACE_CURRENCY');
BEGIN
    PERFORM identity.require_admin();
    SELECT wallet_account_id INTO v_wallet FROM identity.business WHERE id = p_business_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_BUSINESS', format('business %s', p_business_id));
    END IF;
    RETURN ledger.transfer(p_reference, ledger.open_account('PLATFORM', 'bank', 'CLEARING', v_currency, true), v_wallet,
                           p_amount, 'wallet top-up');
END
$$;
COMMENT ON FUNCTION identity.top_up_business(bigint, numeric, text) IS
'Back office: credit a business wallet from the platform''s bank CLEARING account (money received outside Mercato);
returns the ledger transaction. Idempotent on p_reference. Errors: IDENTITY_PERMISSION_DENIED,
IDENTITY_UNKNOWN_BUSINESS and the errors of ledger.transfer. Assumes READ COMMITTED.';

-- API roles reach these through the api wrappers (SECURITY DEFINER). Only identity.is_marketplace_admin() is granted:
-- row-level security policies call it as the querying role.
GRANT EXECUTE ON FUNCTION identity.is_marketplace_admin() TO mercato_user, mercato_service;

COMMIT;
