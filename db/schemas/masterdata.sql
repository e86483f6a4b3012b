-- Deploy mercato:schemas/masterdata to pg
-- Currencies, lookup types and lookups, typed settings, and the versioned-policy pattern.

BEGIN;

CREATE SCHEMA masterdata;
COMMENT ON SCHEMA masterdata IS 'Configuration as data: currencies, lookups, typed settings and versioned policies.';
GRANT USAGE ON SCHEMA masterdata TO mercato_anon, mercato_user, mercato_service;

CREATE TABLE masterdata.currency (
    code        char(3) CONSTRAINT currency_pkey PRIMARY KEY CONSTRAINT currency_code_check CHECK (code ~ '^[A-Z]{3}$'),
    name        text NOT NULL,
    minor_units smallint NOT NULL CONSTRAINT currency_minor_units_check CHECK (minor_units BETWEEN 0 AND 4),
    is_active   boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE masterdata.currency IS
'ISO 4217 currencies and their minor-unit precision: an amount in code may have at most minor_units decimals.';

INSERT INTO masterdata.currency (code, name, minor_units) VALUES
('ETB', 'Ethiopian birr', 2), ('KES', 'Kenyan shilling', 2), ('USD', 'US dollar', 2),
('MXN', 'Mexican peso', 2), ('EUR', 'Euro', 2), ('GBP', 'Pound sterling', 2),
('JPY', 'Japanese yen', 0), ('UGX', 'Ugandan shilling', 0), ('BHD', 'Bahraini dinar', 3),
('KWD', 'Kuwaiti dinar', 3);

CREATE TABLE masterdata.lookup_type (
    id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT lookup_type_pkey PRIMARY KEY,
    code          text NOT NULL CONSTRAINT lookup_type_code_key UNIQUE
                  CONSTRAINT lookup_type_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    is_active     boolean NOT NULL DEFAULT true,
    display_order integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE masterdata.lookup_type IS 'A family of lookup values, e.g. VEHICLE_TYPE, ENGINE_TYPE, CONTRACT_PERIOD.';

CREATE TABLE masterdata.lookup (
    id             bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT lookup_pkey PRIMARY KEY,
    lookup_type_id bigint NOT NULL CONSTRAINT lookup_lookup_type_id_fkey REFERENCES masterdata.lookup_type (id),
    code           text NOT NULL CONSTRAINT lookup_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    value          text NOT NULL,
    metadata       jsonb NOT NULL DEFAULT '{}',
    sort_order     integer NOT NULL DEFAULT 0,
    is_active      boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lookup_lookup_type_id_code_key UNIQUE (lookup_type_id, code)
);
COMMENT ON TABLE masterdata.lookup IS 'One value of a lookup type, e.g. EV_SEDAN of VEHICLE_TYPE. Deactivated, never deleted.';

CREATE FUNCTION masterdata.json_parses(p_value text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM p_value::jsonb;
    RETURN true;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN false;
END
$$;
COMMENT ON FUNCTION masterdata.json_parses(text) IS 'True when the text is valid JSON.';

-- Settings: the value is text, validated against its declared type (and bounds) by a CHECK constraint.
CREATE FUNCTION masterdata.setting_value_is_valid(p_value_type text, p_value text, p_min numeric, p_max numeric)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_number numeric;
BEGIN
    IF p_value IS NULL THEN
        RETURN false;
    END IF;
    CASE p_value_type
    WHEN 'NUMBER' THEN
        IF p_value !~ '^-?[0-9]+(\.[0-9]+)?$' OR length(p_value) > 40 THEN
            RETURN false;
        END IF;
        v_number := p_value::numeric;
        RETURN (p_min IS NULL OR v_number >= p_min) AND (p_max IS NULL OR v_number <= p_max);
    WHEN 'BOOLEAN' THEN
        RETURN p_value IN ('true', 'false');
    WHEN 'STRING' THEN
        RETURN length(p_value) <= 10000;
    WHEN 'JSON' THEN
        RETURN length(p_value) <= 100000 AND masterdata.json_parses(p_value);
    ELSE
        RETURN false;
    END CASE;
END
$$;

COMMENT ON FUNCTION masterdata.setting_value_is_valid(text, text, numeric, numeric) IS
'True when a setting value parses as its type (NUMBER within [min, max], BOOLEAN true/false, STRING, JSON).
Used by the CHECK constraint on masterdata.setting.';

CREATE TABLE masterdata.setting (
    key         text CONSTRAINT setting_pkey PRIMARY KEY CONSTRAINT setting_key_check CHECK (key ~ '^[A-Z][A-Z0-9_]*$'),
    value_type  text NOT NULL CONSTRAINT setting_value_type_check CHECK (value_type IN ('NUMBER', 'STRING', 'BOOLEAN', 'JSON')),
    value       text NOT NULL,
    min_value   numeric,
    max_value   numeric,
    description text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint CONSTRAINT setting_updated_by_fkey REFERENCES identity.user_account (id),
    CONSTRAINT setting_bounds_check CHECK ((min_value IS NULL AND max_value IS NULL) OR value_type = 'NUMBER'),
    CONSTRAINT setting_value_check CHECK (masterdata.setting_value_is_valid(value_type, value, min_value, max_value))
);
COMMENT ON TABLE masterdata.setting IS
'Typed settings (NUMBER / STRING / BOOLEAN / JSON), validated on every write, e.g. OTP_EXPIRY_MINUTES = 5.
Read with masterdata.setting_number/_text/_bool/_json, written with masterdata.set_setting.';

INSERT INTO masterdata.setting (key, value_type, value, min_value, max_value, description) VALUES
('OTP_EXPIRY_MINUTES', 'NUMBER', '5', 1, 10, 'Minutes a one-time code stays valid.'),
('OTP_MAX_ATTEMPTS', 'NUMBER', '5', 1, 10, 'Wrong tries after which a one-time code dies.'),
('PLATFORM_NAME', 'STRING', 'Mercato', NULL, NULL, 'Name shown in messages.');

-- Versioned policies: effective_from / effective_to, no overlap per policy, never edited once in force.
CREATE TABLE masterdata.policy_version (
    id             bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT policy_version_pkey PRIMARY KEY,
    policy_code    text NOT NULL CONSTRAINT policy_version_policy_code_check CHECK (policy_code ~ '^[A-Z][A-Z0-9_]*$'),
    version        integer NOT NULL CONSTRAINT policy_version_version_check CHECK (version > 0),
    effective_from timestamptz NOT NULL,
    effective_to   timestamptz,
    body           jsonb NOT NULL CONSTRAINT policy_version_body_check CHECK (jsonb_typeof(body) = 'object'),
    note           text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     bigint CONSTRAINT policy_version_created_by_fkey REFERENCES identity.user_account (id),
    CONSTRAINT policy_version_policy_code_version_key UNIQUE (policy_code, version),
    CONSTRAINT policy_version_period_check CHECK (effective_to IS NULL OR effective_to > effective_from),
    CONSTRAINT policy_version_no_overlap_excl EXCLUDE USING gist
        (policy_code WITH =, tstzrange(effective_from, effective_to, '[)') WITH &&)
);
COMMENT ON TABLE masterdata.policy_version IS
'Versioned policies: each version is in force over [effective_from, effective_to); versions of one policy never
overlap (exclusion constraint). Once in force a version is never edited, except that an open-ended version may be
closed at a future instant when its successor is added (masterdata.add_policy_version). Typed policy tables in other
modules follow the same pattern.';

CREATE TRIGGER lookup_type_audit AFTER INSERT OR UPDATE OR DELETE ON masterdata.lookup_type
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER lookup_audit AFTER INSERT OR UPDATE OR DELETE ON masterdata.lookup
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER setting_audit AFTER INSERT OR UPDATE OR DELETE ON masterdata.setting
    FOR EACH ROW EXECUTE FUNCTION audit.track('key');
CREATE TRIGGER policy_version_audit AFTER INSERT OR UPDATE OR DELETE ON masterdata.policy_version
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON masterdata.currency, masterdata.lookup_type, masterdata.lookup, masterdata.setting,
              masterdata.policy_version FROM PUBLIC;
GRANT SELECT ON masterdata.currency, masterdata.lookup_type, masterdata.lookup, masterdata.policy_version
    TO mercato_anon, mercato_user, mercato_service;
GRANT SELECT ON masterdata.setting TO mercato_service;
-- masterdata.setting_value_is_valid runs in a CHECK constraint as the writing role (masterdata.set_setting's owner):
-- no API role needs EXECUTE on it.

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('MASTERDATA_UNKNOWN_SETTING', 'masterdata', 'PT404', 'no such setting', NULL, 'The setting key does not exist.'),
('MASTERDATA_SETTING_INVALID', 'masterdata', 'PT400', 'the value does not fit the setting''s type or bounds',
 NULL, 'The detail gives the type and the allowed range.'),
('MASTERDATA_SETTING_TYPE_MISMATCH', 'masterdata', 'PT400', 'the setting is read as the wrong type',
 NULL, 'E.g. setting_number on a STRING setting; a bug in the caller.'),
('MASTERDATA_UNKNOWN_CURRENCY', 'masterdata', 'PT404', 'no such currency', 'use an active ISO 4217 code such as ETB',
 'The currency code is not in masterdata.currency or is inactive.'),
('MASTERDATA_UNKNOWN_LOOKUP', 'masterdata', 'PT404', 'no such lookup value', NULL, 'Unknown lookup type or code.'),
('MASTERDATA_NO_POLICY_IN_FORCE', 'masterdata', 'PT404', 'no version of the policy is in force at that time',
 NULL, 'The detail names the policy and the instant.'),
('MASTERDATA_POLICY_IN_FORCE', 'masterdata', 'PT409', 'a policy version that is (or was) in force cannot be changed',
 'add a new version instead', 'Only closing an open-ended version at a future instant is allowed.'),
('MASTERDATA_POLICY_OVERLAP', 'masterdata', 'PT409', 'the new version would overlap an existing version',
 NULL, 'Versions of one policy never overlap; new versions start after every existing one.'),
('MASTERDATA_POLICY_INVALID', 'masterdata', 'PT400', 'the policy version is malformed',
 NULL, 'Bad policy code, a start in the past, or a body that is not a JSON object.');

COMMIT;
