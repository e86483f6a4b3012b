-- Verify mercato:schemas/masterdata on pg

BEGIN;

SELECT code, name, minor_units, is_active FROM masterdata.currency WHERE false;
SELECT id, code, name, description, is_active, display_order FROM masterdata.lookup_type WHERE false;
SELECT id, lookup_type_id, code, value, metadata, sort_order, is_active FROM masterdata.lookup WHERE false;
SELECT key, value_type, value, min_value, max_value, description, updated_at, updated_by FROM masterdata.setting WHERE false;
SELECT id, policy_code, version, effective_from, effective_to, body, note FROM masterdata.policy_version WHERE false;

ROLLBACK;
