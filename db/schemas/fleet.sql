-- Deploy mercato:schemas/fleet to pg
-- The rental product's fleet: providers' vehicles and their insurance policies.

BEGIN;

CREATE SCHEMA fleet;
COMMENT ON SCHEMA fleet IS 'The rental product''s vehicles and their insurance policies, each vehicle owned by a provider (schema parties).';
GRANT USAGE ON SCHEMA fleet TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE fleet.vehicle (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT vehicle_pkey PRIMARY KEY,
    provider_id      bigint NOT NULL CONSTRAINT vehicle_provider_id_fkey REFERENCES parties.provider (id),
    plate_number     text NOT NULL CONSTRAINT vehicle_plate_number_check CHECK (plate_number ~ '^[A-Z0-9][A-Z0-9 -]{1,30}$'),
    vehicle_type     text NOT NULL,
    engine_type      text,
    seat_count       smallint NOT NULL CONSTRAINT vehicle_seat_count_check CHECK (seat_count BETWEEN 1 AND 100),
    brand            text CONSTRAINT vehicle_brand_check CHECK (length(brand) <= 128),
    model            text CONSTRAINT vehicle_model_check CHECK (length(model) <= 128),
    tags             text[] NOT NULL DEFAULT '{}' CONSTRAINT vehicle_tags_check CHECK (cardinality(tags) <= 20),
    status           text NOT NULL DEFAULT 'UNDER_REVIEW'
                     CONSTRAINT vehicle_status_check CHECK (status IN ('UNDER_REVIEW', 'ACTIVE', 'SUSPENDED', 'RETIRED')),
    images           jsonb NOT NULL DEFAULT '{}' CONSTRAINT vehicle_images_check CHECK (jsonb_typeof(images) = 'object'),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE fleet.vehicle IS
'A vehicle of a provider. plate_number is unique platform-wide (upper case, normalised); vehicle_type and
engine_type are codes of the VEHICLE_TYPE / ENGINE_TYPE lookups; images maps a view (front, back, ...) to a URL.
Only ACTIVE vehicles can be assigned to contracts.';
CREATE UNIQUE INDEX vehicle_plate_number_key ON fleet.vehicle (plate_number);
CREATE INDEX vehicle_provider_id_idx ON fleet.vehicle (provider_id);

CREATE TABLE fleet.vehicle_insurance (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT vehicle_insurance_pkey PRIMARY KEY,
    vehicle_id       bigint NOT NULL CONSTRAINT vehicle_insurance_vehicle_id_fkey REFERENCES fleet.vehicle (id),
    insurance_type   text NOT NULL CONSTRAINT vehicle_insurance_insurance_type_check
                     CHECK (insurance_type IN ('THIRD_PARTY', 'COMPREHENSIVE')),
    company_name     text NOT NULL CONSTRAINT vehicle_insurance_company_name_check CHECK (length(btrim(company_name)) BETWEEN 1 AND 256),
    policy_number    text CONSTRAINT vehicle_insurance_policy_number_check CHECK (length(policy_number) <= 128),
    insured_amount   numeric(20,4) CONSTRAINT vehicle_insurance_insured_amount_check CHECK (insured_amount > 0),
    coverage_start   date NOT NULL,
    coverage_end     date NOT NULL,
    certificate_url  text NOT NULL CONSTRAINT vehicle_insurance_certificate_url_check CHECK (certificate_url ~ '^https?://'),
    status           text NOT NULL DEFAULT 'PENDING_VERIFICATION'
                     CONSTRAINT vehicle_insurance_status_check CHECK (status IN ('PENDING_VERIFICATION', 'VERIFIED', 'REJECTED')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vehicle_insurance_coverage_check CHECK (coverage_end >= coverage_start)
);
COMMENT ON TABLE fleet.vehicle_insurance IS
'An insurance policy of a vehicle, covering [coverage_start, coverage_end] (dates, both inclusive). A vehicle can be
assigned to a contract only when VERIFIED policies cover the whole contract period.';
CREATE INDEX vehicle_insurance_vehicle_id_idx ON fleet.vehicle_insurance (vehicle_id);
CREATE INDEX vehicle_insurance_coverage_end_idx ON fleet.vehicle_insurance (coverage_end);

CREATE TRIGGER vehicle_audit AFTER INSERT OR UPDATE OR DELETE ON fleet.vehicle
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER vehicle_insurance_audit AFTER INSERT OR UPDATE OR DELETE ON fleet.vehicle_insurance
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON fleet.vehicle, fleet.vehicle_insurance FROM PUBLIC;
GRANT SELECT ON fleet.vehicle, fleet.vehicle_insurance TO mercato_service;

COMMIT;
