-- Tests for functions/identity/tenant_currency: set once by a platform admin or the back office; a tenant admin may
-- not; unknown codes and tenants refused; idempotent for the same code; audited.
BEGIN;
SELECT plan(12);

CREATE TEMP TABLE w AS SELECT identity.create_tenant('tc-a', 'A') AS a;
ALTER TABLE w ADD COLUMN a_admin bigint, ADD COLUMN padmin bigint;
UPDATE w SET a_admin = identity.register_user('tc-a-admin', 'ADMIN', 'A admin', a),
             padmin = identity.register_user('tc-padmin', 'ADMIN', 'Platform admin');
SELECT identity.assign_role(a_admin, 'TENANT_ADMIN', a), identity.assign_role(padmin, 'PLATFORM_ADMIN') FROM w;
GRANT SELECT ON w TO mercato_user, mercato_service;

SELECT tests.as_user('tc-a-admin');
SELECT throws_like($$SELECT api.set_tenant_currency((SELECT a FROM w), 'USD')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a tenant admin does not set its currency');
SELECT tests.as_anon();
SELECT throws_like($$SELECT api.set_tenant_currency(1, 'USD')$$, '%permission denied%', 'anonymous callers may not call it');
SELECT tests.as_user('tc-padmin');
SELECT throws_like($$SELECT api.set_tenant_currency((SELECT a FROM w), 'ZZZ')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%',
                   'an unknown currency');
SELECT throws_like($$SELECT api.set_tenant_currency(-1, 'USD')$$, 'IDENTITY_UNKNOWN_TENANT:%', 'an unknown tenant');
SELECT is(api.set_tenant_currency((SELECT a FROM w), 'usd'), 'USD', 'a platform admin sets it (code normalised)');
SELECT is(api.set_tenant_currency((SELECT a FROM w), 'USD'), 'USD', 'the same again is accepted');
SELECT tests.as_service();
SELECT throws_like($$SELECT api.set_tenant_currency((SELECT a FROM w), 'EUR')$$, 'IDENTITY_TENANT_CURRENCY_SET:%',
                   'another currency later is refused, even by the back office');
SELECT tests.as_owner();
SELECT is((SELECT currency::text FROM identity.tenant WHERE id = (SELECT a FROM w)), 'USD', 'stored');
SELECT ok(EXISTS (SELECT 1 FROM audit.event WHERE entity_type = 'identity.tenant' AND action = 'UPDATE'
                   AND new_values ->> 'currency' = 'USD'), 'audited');

-- any text is refused with a code, never a raw SQLSTATE ---------------------------------------------
SELECT tests.as_service();
SELECT throws_like($$SELECT api.set_tenant_currency(1, 'BUSINESS')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'a long code');
SELECT throws_like($$SELECT api.set_tenant_currency(1, 'U$D')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'not three letters');
SELECT throws_like($$SELECT api.set_tenant_currency(1, '')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'empty');

SELECT * FROM finish();
ROLLBACK;
