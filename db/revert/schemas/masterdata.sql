-- Revert mercato:schemas/masterdata from pg

BEGIN;

DELETE FROM core.error WHERE module = 'masterdata';
DROP TABLE masterdata.policy_version, masterdata.setting, masterdata.lookup, masterdata.lookup_type,
           masterdata.currency;
DROP FUNCTION masterdata.setting_value_is_valid(text, text, numeric, numeric);
DROP FUNCTION masterdata.json_parses(text);
DROP SCHEMA masterdata;

COMMIT;
