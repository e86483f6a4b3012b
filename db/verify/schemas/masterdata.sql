-- Verify mercato:schemas/masterdata on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT code, name, minor_units, is_active FROM masterdata.currency WHERE false;
SELECT id, code, name, description, is_active, display_order, created_at, updated_at FROM masterdata.lookup_type WHERE false;
SELECT id, lookup_type_id, code, value, metadata, sort_order, is_active, created_at, updated_at
  FROM masterdata.lookup WHERE false;
SELECT key, value_type, value, min_value, max_value, description, updated_at, updated_by FROM masterdata.setting WHERE false;
SELECT id, policy_code, version, effective_from, effective_to, body, note, created_at, created_by
  FROM masterdata.policy_version WHERE false;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = 'audit.track()'::regprocedure
               AND t.tgenabled <> 'D')::int
  FROM (VALUES ('lookup_type_audit', 'masterdata.lookup_type'::regclass), ('lookup_audit', 'masterdata.lookup'::regclass),
               ('setting_audit', 'masterdata.setting'::regclass),
               ('policy_version_audit', 'masterdata.policy_version'::regclass)) AS g(name, rel);
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['MASTERDATA_UNKNOWN_SETTING', 'MASTERDATA_SETTING_INVALID', 'MASTERDATA_SETTING_TYPE_MISMATCH',
                    'MASTERDATA_UNKNOWN_CURRENCY', 'MASTERDATA_UNKNOWN_LOOKUP', 'MASTERDATA_NO_POLICY_IN_FORCE',
                    'MASTERDATA_POLICY_IN_FORCE', 'MASTERDATA_POLICY_OVERLAP', 'MASTERDATA_POLICY_INVALID']) AS c;

-- privileges: reference data readable by every API role, settings by the back office only; no API role writes,
-- nor runs the CHECK helpers of the setting table
SELECT 1 / pg_catalog.has_schema_privilege(r, 'masterdata', 'USAGE')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['masterdata.currency', 'masterdata.lookup_type', 'masterdata.lookup', 'masterdata.policy_version']) AS t;
SELECT 1 / (pg_catalog.has_table_privilege('mercato_service', 'masterdata.setting', 'SELECT')
            AND NOT pg_catalog.has_any_column_privilege('mercato_user', 'masterdata.setting', 'SELECT')
            AND NOT pg_catalog.has_any_column_privilege('mercato_anon', 'masterdata.setting', 'SELECT'))::int;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['masterdata.currency', 'masterdata.lookup_type', 'masterdata.lookup', 'masterdata.setting',
                    'masterdata.policy_version']) AS t;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['masterdata.json_parses(text)'::regprocedure,
                    'masterdata.setting_value_is_valid(text, text, numeric, numeric)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
