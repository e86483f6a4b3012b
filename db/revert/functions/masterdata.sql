-- Revert mercato:functions/masterdata from pg

BEGIN;

DROP FUNCTION masterdata.policy_in_force(text, timestamptz);
DROP FUNCTION masterdata.add_policy_version(text, timestamptz, jsonb, text);
DROP TRIGGER policy_version_guard ON masterdata.policy_version;
DROP FUNCTION masterdata.policy_version_guard_trg();
DROP FUNCTION masterdata.lookup_id(text, text);
DROP FUNCTION masterdata.currency_minor_units(text);
DROP FUNCTION masterdata.set_setting(text, text);
DROP FUNCTION masterdata.setting_json(text);
DROP FUNCTION masterdata.setting_bool(text);
DROP FUNCTION masterdata.setting_text(text);
DROP FUNCTION masterdata.setting_number(text);
DROP FUNCTION masterdata.setting_of_type(text, text);

COMMIT;
