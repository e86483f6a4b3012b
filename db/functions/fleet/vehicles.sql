-- Deploy mercato:functions/fleet/vehicles to pg
-- A provider's vehicles and their insurance: register, review, insure, verify, expiring policies, coverage checks.

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_UNKNOWN_VEHICLE', 'fleet', 'PT404', 'no such vehicle',
 NULL, 'The vehicle id does not exist or belongs to another provider (answered alike).'),
('IDENTITY_UNKNOWN_INSURANCE', 'fleet', 'PT404', 'no such insurance policy', NULL, 'The insurance id does not exist.'),
('IDENTITY_PLATE_TAKEN', 'fleet', 'PT409', 'a vehicle with this plate number is already registered',
 NULL, 'Plate numbers are unique platform-wide (compared upper-case, single-spaced).');

CREATE FUNCTION fleet.vehicle_insured(p_vehicle_id bigint, p_from date, p_to date)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT coalesce(
        (SELECT daterange(p_from, p_to, '[]') <@ range_agg(daterange(i.coverage_start, i.coverage_end, '[]'))
           FROM fleet.vehicle_insurance i
          WHERE i.vehicle_id = p_vehicle_id AND i.status = 'VERIFIED'
            AND daterange(i.coverage_start, i.coverage_end, '[]') && daterange(p_from, p_to, '[]')),
        false);
END;
COMMENT ON FUNCTION fleet.vehicle_insured(bigint, date, date) IS
'True when VERIFIED insurance policies of the vehicle together cover every day of [p_from, p_to] (inclusive; several
consecutive or overlapping policies may share the period). False for an unknown vehicle or an empty period.';


CREATE FUNCTION fleet.add_vehicle(
    p_plate_number text, p_vehicle_type text, p_seat_count integer, p_engine_type text DEFAULT NULL,
    p_brand text DEFAULT NULL, p_model text DEFAULT NULL, p_tags text[] DEFAULT '{}', p_images jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
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
        INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, engine_type, seat_count, brand, model, tags, images)
        VALUES (v_provider.id, v_plate, p_vehicle_type, p_engine_type, p_seat_count,
                parties.check_party_text(p_brand, 'p_brand', 128, false), parties.check_party_text(p_model, 'p_model', 128, false),
                coalesce(p_tags, '{}'), p_images)
        RETURNING id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        PERFORM core.raise('IDENTITY_PLATE_TAKEN', format('plate %s', v_plate));
    END;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION fleet.add_vehicle(text, text, integer, text, text, text, text[], jsonb) IS
'A provider registers one of its vehicles (UNDER_REVIEW until an admin activates it); returns the vehicle id. The plate
is normalised (upper case, single spaces) and unique platform-wide; types are checked against the VEHICLE_TYPE and
ENGINE_TYPE lookups; p_images maps a view (front, back, ...) to an http(s) URL. Errors: IDENTITY_NOT_A_PROVIDER,
IDENTITY_PARTY_INVALID, MASTERDATA_UNKNOWN_LOOKUP,
IDENTITY_PLATE_TAKEN (409, also against a
concurrent registration of the same plate). Assumes READ COMMITTED.';

CREATE FUNCTION fleet.set_vehicle_status(p_vehicle_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_admin    boolean := parties.is_marketplace_admin();
    v_provider bigint;
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('UNDER_REVIEW', 'ACTIVE', 'SUSPENDED', 'RETIRED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be UNDER_REVIEW, ACTIVE, SUSPENDED or RETIRED');
    END IF;
    IF NOT v_admin AND p_status <> 'RETIRED' THEN
        PERFORM parties.require_admin();   -- raises: only admins review vehicles
    END IF;
    IF NOT v_admin THEN
        v_provider := (parties.current_provider()).id;
    END IF;
    UPDATE fleet.vehicle SET status = p_status, updated_at = now()
     WHERE id = p_vehicle_id AND (v_admin OR provider_id = v_provider);
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_VEHICLE', format('vehicle %s', p_vehicle_id));
    END IF;
END
$$;
COMMENT ON FUNCTION fleet.set_vehicle_status(bigint, text) IS
'Review a vehicle (admin: UNDER_REVIEW, ACTIVE, SUSPENDED, RETIRED) or retire one''s own (provider: RETIRED).
Errors: IDENTITY_PARTY_INVALID, IDENTITY_PERMISSION_DENIED, IDENTITY_NOT_A_PROVIDER, IDENTITY_UNKNOWN_VEHICLE.
Assumes READ COMMITTED.';

CREATE FUNCTION fleet.add_vehicle_insurance(
    p_vehicle_id bigint, p_insurance_type text, p_company_name text, p_coverage_start date, p_coverage_end date,
    p_certificate_url text, p_policy_number text DEFAULT NULL, p_insured_amount numeric DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
    v_id       bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM fleet.vehicle WHERE id = p_vehicle_id AND provider_id = v_provider.id) THEN
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
    INSERT INTO fleet.vehicle_insurance (vehicle_id, insurance_type, company_name, policy_number, insured_amount,
                                            coverage_start, coverage_end, certificate_url)
    VALUES (p_vehicle_id, p_insurance_type, parties.check_party_text(p_company_name, 'p_company_name', 256),
            parties.check_party_text(p_policy_number, 'p_policy_number', 128, false), p_insured_amount,
            p_coverage_start, p_coverage_end, p_certificate_url)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION fleet.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric) IS
'A provider files an insurance policy for one of its vehicles (PENDING_VERIFICATION until an admin verifies it);
returns its id. Errors: IDENTITY_NOT_A_PROVIDER, IDENTITY_UNKNOWN_VEHICLE, IDENTITY_PARTY_INVALID. Assumes READ COMMITTED.';

CREATE FUNCTION fleet.verify_insurance(p_insurance_id bigint, p_status text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM parties.require_admin();
    IF p_status IS NULL OR p_status NOT IN ('VERIFIED', 'REJECTED') THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_status must be VERIFIED or REJECTED');
    END IF;
    UPDATE fleet.vehicle_insurance SET status = p_status WHERE id = p_insurance_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_INSURANCE', format('insurance %s', p_insurance_id));
    END IF;
END
$$;
COMMENT ON FUNCTION fleet.verify_insurance(bigint, text) IS
'Verify or reject an insurance policy (only VERIFIED policies count for assignments). Caller: marketplace admin or
service role. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_PARTY_INVALID, IDENTITY_UNKNOWN_INSURANCE.';

CREATE FUNCTION fleet.expiring_insurance(p_within_days integer DEFAULT 30)
RETURNS TABLE (insurance_id bigint, vehicle_id bigint, plate_number text, provider_id bigint, company_name text,
               coverage_end date, days_left integer)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_admin    boolean := parties.is_marketplace_admin();
    v_provider bigint;
BEGIN
    IF p_within_days IS NULL OR p_within_days NOT BETWEEN 0 AND 3650 THEN
        PERFORM core.raise('IDENTITY_PARTY_INVALID', 'p_within_days must be 0-3650');
    END IF;
    IF NOT v_admin THEN
        v_provider := (parties.current_provider()).id;
    END IF;
    RETURN QUERY
    SELECT i.id, v.id, v.plate_number, v.provider_id, i.company_name, i.coverage_end, (i.coverage_end - current_date)::integer
      FROM fleet.vehicle_insurance i JOIN fleet.vehicle v ON v.id = i.vehicle_id
     WHERE i.status = 'VERIFIED' AND i.coverage_end BETWEEN current_date AND current_date + p_within_days
       AND v.status <> 'RETIRED' AND (v_admin OR v.provider_id = v_provider)
     ORDER BY i.coverage_end, i.id;
END
$$;
COMMENT ON FUNCTION fleet.expiring_insurance(integer) IS
'VERIFIED insurance policies ending within p_within_days days (today included): a provider sees its own, an admin
all. Errors: IDENTITY_PARTY_INVALID, IDENTITY_NOT_A_PROVIDER. Uses the coverage_end index.';

CREATE FUNCTION fleet.my_vehicles()
RETURNS SETOF fleet.vehicle
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT v.* FROM fleet.vehicle v WHERE v.provider_id = (parties.current_provider()).id ORDER BY v.id;
END;
COMMENT ON FUNCTION fleet.my_vehicles() IS 'The calling provider''s vehicles. Error: IDENTITY_NOT_A_PROVIDER.';

COMMIT;
