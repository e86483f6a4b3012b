-- Tests for functions/masterdata: typed settings, currency precision, lookups, policy versioning.
BEGIN;
SELECT plan(22);

SELECT volatility_is('masterdata', 'setting_number', ARRAY['text'], 'stable', 'setting readers are STABLE');
SELECT is_definer('masterdata', 'set_setting', ARRAY['text', 'text'], 'set_setting is SECURITY DEFINER');

SELECT is(masterdata.setting_number('OTP_EXPIRY_MINUTES'), 5::numeric, 'OTP_EXPIRY_MINUTES is 5');
SELECT throws_ok($$SELECT masterdata.setting_number('NO_SUCH_KEY')$$, 'PT404', NULL, 'unknown setting');
SELECT throws_like($$SELECT masterdata.setting_text('OTP_EXPIRY_MINUTES')$$, 'MASTERDATA_SETTING_TYPE_MISMATCH:%',
                   'reading a NUMBER as text is a bug, and says so');
SELECT lives_ok($$SELECT masterdata.set_setting('OTP_EXPIRY_MINUTES', '7')$$, 'the service role changes a setting');
SELECT is(masterdata.setting_number('OTP_EXPIRY_MINUTES'), 7::numeric, 'and it is read back');
SELECT throws_like($$SELECT masterdata.set_setting('OTP_EXPIRY_MINUTES', '11')$$, 'MASTERDATA_SETTING_INVALID:%',
                   'out of bounds is refused with a stable code');
SELECT throws_ok($$SELECT masterdata.set_setting('OTP_EXPIRY_MINUTES', NULL)$$, 'PT400', NULL, 'NULL is refused');
SELECT is(masterdata.setting_number('OTP_EXPIRY_MINUTES'), 7::numeric, 'a refused write changes nothing');
SELECT is((SELECT count(*) FROM audit.event WHERE entity_type = 'masterdata.setting' AND entity_id = 'OTP_EXPIRY_MINUTES'),
          1::bigint, 'the change is audited');

SELECT is(masterdata.currency_minor_units('BHD'), 3::smallint, 'BHD has 3 decimals');
SELECT throws_like($$SELECT masterdata.currency_minor_units('XXX')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'unknown currency');

INSERT INTO masterdata.lookup_type (code, name) VALUES ('TEST_TYPE', 'Test');
INSERT INTO masterdata.lookup (lookup_type_id, code, value)
SELECT id, 'ONE', 'One' FROM masterdata.lookup_type WHERE code = 'TEST_TYPE';
SELECT ok(masterdata.lookup_id('TEST_TYPE', 'ONE') > 0, 'lookup_id finds a value');
SELECT throws_ok($$SELECT masterdata.lookup_id('TEST_TYPE', 'TWO')$$, 'PT404', NULL, 'unknown lookup');

-- versioned policies
CREATE TEMP TABLE t_v AS SELECT
    masterdata.add_policy_version('TEST_POLICY', now(), '{"rate": "0.10"}') AS v1,
    masterdata.add_policy_version('TEST_POLICY', now() + interval '30 days', '{"rate": "0.08"}') AS v2;
SELECT is((masterdata.policy_in_force('TEST_POLICY')).body ->> 'rate', '0.10', 'version 1 is in force now');
SELECT is((masterdata.policy_in_force('TEST_POLICY', now() + interval '31 days')).version, 2, 'version 2 later');
SELECT throws_like($$SELECT masterdata.policy_in_force('TEST_POLICY', now() - interval '1 day')$$,
                   'MASTERDATA_NO_POLICY_IN_FORCE:%', 'nothing was in force before version 1');
SELECT throws_like($$UPDATE masterdata.policy_version SET body = '{"rate": "0.01"}' WHERE id = (SELECT v1 FROM t_v)$$,
                   'MASTERDATA_POLICY_IN_FORCE:%', 'a version in force is never edited, not even by the owner');
SELECT throws_ok($$DELETE FROM masterdata.policy_version WHERE id = (SELECT v1 FROM t_v)$$, 'PT409', NULL,
                 'nor deleted');
SELECT throws_like($$SELECT masterdata.add_policy_version('TEST_POLICY', now() + interval '10 days', '{}')$$,
                   'MASTERDATA_POLICY_OVERLAP:%', 'a new version cannot start before the latest one');
SELECT throws_like($$SELECT masterdata.add_policy_version('TEST_POLICY', now() - interval '1 day', '{}')$$,
                   'MASTERDATA_POLICY_INVALID:%', 'policies are never back-dated');

SELECT * FROM finish();
ROLLBACK;
