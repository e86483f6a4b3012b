-- Verify mercato:functions/masterdata on pg

BEGIN;

SELECT 1 / (masterdata.setting_number('OTP_EXPIRY_MINUTES') > 0)::int;
SELECT 1 / (masterdata.currency_minor_units('ETB') = 2)::int;
SELECT pg_catalog.has_function_privilege('masterdata.add_policy_version(text, timestamptz, jsonb, text)', 'execute');

ROLLBACK;
