-- Tests for schemas/masterdata: currencies, lookups, typed settings, versioned policies.
BEGIN;
SELECT plan(12);

SELECT has_schema('masterdata');
SELECT tables_are('masterdata', ARRAY['currency', 'lookup_type', 'lookup', 'setting', 'policy_version',
    'provider_tier', 'business_tier', 'provider_tier_rule', 'business_tier_rule', 'commission_rule']);
SELECT is((SELECT minor_units FROM masterdata.currency WHERE code = 'ETB'), 2::smallint, 'ETB has 2 decimals');
SELECT is((SELECT minor_units FROM masterdata.currency WHERE code = 'JPY'), 0::smallint, 'JPY has none');
SELECT throws_ok($$UPDATE masterdata.setting SET value = 'eleven' WHERE key = 'OTP_EXPIRY_MINUTES'$$, '23514', NULL,
                 'a NUMBER setting refuses text even from the owner');
SELECT throws_ok($$UPDATE masterdata.setting SET value = '60' WHERE key = 'OTP_EXPIRY_MINUTES'$$, '23514', NULL,
                 'a NUMBER setting refuses values out of bounds');
SELECT throws_ok($$INSERT INTO masterdata.setting (key, value_type, value) VALUES ('X_FLAG', 'BOOLEAN', 'yes')$$, '23514', NULL,
                 'BOOLEAN settings take true/false');
SELECT throws_ok($$INSERT INTO masterdata.setting (key, value_type, value) VALUES ('X_JSON', 'JSON', '{oops')$$, '23514', NULL,
                 'JSON settings must parse');
SELECT lives_ok($$INSERT INTO masterdata.setting (key, value_type, value) VALUES ('X_JSON', 'JSON', '{"a": [1]}')$$,
                'valid JSON is accepted');
SELECT throws_ok($$INSERT INTO masterdata.policy_version (policy_code, version, effective_from, effective_to, body)
                   VALUES ('P', 1, '2030-01-01', '2030-06-01', '{}'), ('P', 2, '2030-03-01', NULL, '{}')$$,
                 '23P01', NULL, 'versions of one policy never overlap');
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$UPDATE masterdata.setting SET value = '6' WHERE key = 'OTP_EXPIRY_MINUTES'$$, '42501', NULL,
                 'application roles cannot write settings directly');
SELECT lives_ok($$SELECT * FROM masterdata.currency$$, 'anyone may read currencies');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
