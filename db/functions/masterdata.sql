-- Deploy mercato:functions/masterdata to pg
-- Typed setting readers and writer, currency and lookup resolution, policy versioning.

BEGIN;

CREATE FUNCTION masterdata.setting_of_type(p_key text, p_value_type text)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_setting masterdata.setting;
BEGIN
    SELECT * INTO v_setting FROM masterdata.setting WHERE key = p_key;
    IF NOT FOUND THEN
        PERFORM core.raise('MASTERDATA_UNKNOWN_SETTING', format('setting %s', p_key));
    END IF;
    IF v_setting.value_type <> p_value_type THEN
        PERFORM core.raise('MASTERDATA_SETTING_TYPE_MISMATCH',
                           format('setting %s is %s, read as %s', p_key, v_setting.value_type, p_value_type));
    END IF;
    RETURN v_setting.value;
END
$$;
COMMENT ON FUNCTION masterdata.setting_of_type(text, text) IS
'The raw text of a setting, checked to be of the expected type. Errors: MASTERDATA_UNKNOWN_SETTING, MASTERDATA_SETTING_TYPE_MISMATCH.';

CREATE FUNCTION masterdata.setting_number(p_key text) RETURNS numeric
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_of_type(p_key, 'NUMBER')::numeric;
COMMENT ON FUNCTION masterdata.setting_number(text) IS 'The value of a NUMBER setting.';

CREATE FUNCTION masterdata.setting_text(p_key text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_of_type(p_key, 'STRING');
COMMENT ON FUNCTION masterdata.setting_text(text) IS 'The value of a STRING setting.';

CREATE FUNCTION masterdata.setting_bool(p_key text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_of_type(p_key, 'BOOLEAN')::boolean;
COMMENT ON FUNCTION masterdata.setting_bool(text) IS 'The value of a BOOLEAN setting.';

CREATE FUNCTION masterdata.setting_json(p_key text) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN masterdata.setting_of_type(p_key, 'JSON')::jsonb;
COMMENT ON FUNCTION masterdata.setting_json(text) IS 'The value of a JSON setting.';

CREATE FUNCTION masterdata.set_setting(p_key text, p_value text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor   identity.actor;
    v_setting masterdata.setting;
BEGIN
    v_actor := identity.require_permission('masterdata.manage');
    SELECT * INTO v_setting FROM masterdata.setting WHERE key = p_key FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('MASTERDATA_UNKNOWN_SETTING', format('setting %s', p_key));
    END IF;
    IF NOT masterdata.setting_value_is_valid(v_setting.value_type, p_value, v_setting.min_value, v_setting.max_value) THEN
        PERFORM core.raise('MASTERDATA_SETTING_INVALID',
            format('%s is a %s%s; got %s', p_key, v_setting.value_type,
                   CASE WHEN v_setting.min_value IS NOT NULL OR v_setting.max_value IS NOT NULL
                        THEN format(' between %s and %s', coalesce(v_setting.min_value::text, '-inf'),
                                    coalesce(v_setting.max_value::text, 'inf'))
                        ELSE '' END,
                   coalesce(quote_literal(left(p_value, 100)), 'NULL')));
    END IF;
    UPDATE masterdata.setting SET value = p_value, updated_at = now(), updated_by = v_actor.user_id
     WHERE key = p_key;
END
$$;
COMMENT ON FUNCTION masterdata.set_setting(text, text) IS
'Change a setting''s value, validated against its type and bounds. Needs masterdata.manage.
Errors: MASTERDATA_UNKNOWN_SETTING, MASTERDATA_SETTING_INVALID (nothing is changed).';

CREATE FUNCTION masterdata.currency_minor_units(p_currency text)
RETURNS smallint
LANGUAGE plpgsql
STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_units smallint;
BEGIN
    SELECT minor_units INTO v_units FROM masterdata.currency WHERE code = p_currency AND is_active;
    IF NOT FOUND THEN
        PERFORM core.raise('MASTERDATA_UNKNOWN_CURRENCY', format('currency %s', coalesce(p_currency, 'NULL')));
    END IF;
    RETURN v_units;
END
$$;
COMMENT ON FUNCTION masterdata.currency_minor_units(text) IS
'How many decimals an amount in this currency may have (ETB 2, JPY 0, BHD 3). Error: MASTERDATA_UNKNOWN_CURRENCY.';

CREATE FUNCTION masterdata.lookup_id(p_type text, p_code text)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    SELECT l.id INTO v_id
      FROM masterdata.lookup l JOIN masterdata.lookup_type t ON t.id = l.lookup_type_id
     WHERE t.code = p_type AND l.code = p_code AND l.is_active AND t.is_active;
    IF NOT FOUND THEN
        PERFORM core.raise('MASTERDATA_UNKNOWN_LOOKUP', format('%s.%s', p_type, p_code));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION masterdata.lookup_id(text, text) IS
'The id of an active lookup value by type and code (e.g. VEHICLE_TYPE, EV_SEDAN). Error: MASTERDATA_UNKNOWN_LOOKUP.';

CREATE FUNCTION masterdata.policy_version_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF OLD.effective_from > now() THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;   -- not yet in force: still a draft
    END IF;
    IF TG_OP = 'UPDATE'
       AND OLD.effective_to IS NULL AND NEW.effective_to IS NOT NULL AND NEW.effective_to >= now()
       AND (NEW.id, NEW.policy_code, NEW.version, NEW.effective_from, NEW.body, NEW.note, NEW.created_at, NEW.created_by)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.policy_code, OLD.version, OLD.effective_from, OLD.body, OLD.note, OLD.created_at, OLD.created_by)
    THEN
        RETURN NEW;   -- closing an open-ended version at a future instant
    END IF;
    PERFORM core.raise('MASTERDATA_POLICY_IN_FORCE',
                       format('%s version %s has been in force since %s', OLD.policy_code, OLD.version, OLD.effective_from));
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION masterdata.policy_version_guard_trg() IS
'Trigger: a policy version in force (or past) is never edited or deleted; the only change allowed is closing an
open-ended version at a future instant.';

CREATE TRIGGER policy_version_guard BEFORE UPDATE OR DELETE ON masterdata.policy_version
    FOR EACH ROW EXECUTE FUNCTION masterdata.policy_version_guard_trg();

CREATE FUNCTION masterdata.add_policy_version(
    p_policy_code    text,
    p_effective_from timestamptz,
    p_body           jsonb,
    p_note           text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor  identity.actor;
    v_latest masterdata.policy_version;
    v_id     bigint;
BEGIN
    v_actor := identity.require_permission('masterdata.manage');
    IF p_policy_code IS NULL OR p_policy_code !~ '^[A-Z][A-Z0-9_]*$' THEN
        PERFORM core.raise('MASTERDATA_POLICY_INVALID', 'p_policy_code must be UPPER_SNAKE');
    END IF;
    IF p_body IS NULL OR jsonb_typeof(p_body) <> 'object' THEN
        PERFORM core.raise('MASTERDATA_POLICY_INVALID', 'p_body must be a JSON object');
    END IF;
    IF p_effective_from IS NULL OR p_effective_from < now() THEN
        PERFORM core.raise('MASTERDATA_POLICY_INVALID', 'p_effective_from must not be in the past',
                           'policies are never back-dated');
    END IF;
    -- One writer per policy at a time; versions are appended in order.
    PERFORM pg_advisory_xact_lock(hashtext('masterdata.policy_version'), hashtext(p_policy_code));
    SELECT * INTO v_latest FROM masterdata.policy_version
     WHERE policy_code = p_policy_code ORDER BY version DESC LIMIT 1;
    IF FOUND THEN
        IF v_latest.effective_from >= p_effective_from
           OR (v_latest.effective_to IS NOT NULL AND v_latest.effective_to > p_effective_from) THEN
            PERFORM core.raise('MASTERDATA_POLICY_OVERLAP',
                               format('%s version %s starts %s', p_policy_code, v_latest.version, v_latest.effective_from));
        END IF;
        IF v_latest.effective_to IS NULL THEN
            UPDATE masterdata.policy_version SET effective_to = p_effective_from WHERE id = v_latest.id;
        END IF;
    END IF;
    INSERT INTO masterdata.policy_version (policy_code, version, effective_from, body, note, created_by)
    VALUES (p_policy_code, coalesce(v_latest.version, 0) + 1, p_effective_from, p_body, coalesce(p_note, ''),
            v_actor.user_id)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION masterdata.add_policy_version(text, timestamptz, jsonb, text) IS
'Append a new version of a policy, in force from p_effective_from (now or later) until superseded.
Closes the open-ended predecessor at that instant. Needs masterdata.manage.
Errors: MASTERDATA_POLICY_INVALID, MASTERDATA_POLICY_OVERLAP.';

CREATE FUNCTION masterdata.policy_in_force(p_policy_code text, p_at timestamptz DEFAULT now())
RETURNS masterdata.policy_version
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_version masterdata.policy_version;
BEGIN
    SELECT * INTO v_version FROM masterdata.policy_version
     WHERE policy_code = p_policy_code
       AND tstzrange(effective_from, effective_to, '[)') @> p_at;
    IF NOT FOUND THEN
        PERFORM core.raise('MASTERDATA_NO_POLICY_IN_FORCE', format('%s at %s', p_policy_code, p_at));
    END IF;
    RETURN v_version;
END
$$;
COMMENT ON FUNCTION masterdata.policy_in_force(text, timestamptz) IS
'The version of a policy in force at an instant (default now). Error: MASTERDATA_NO_POLICY_IN_FORCE.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
