-- Tests for functions/identity/tenant_currency_input: any text is refused with a code, never a raw SQLSTATE.
BEGIN;
SELECT plan(3);

SELECT tests.as_service();
SELECT throws_like($$SELECT api.set_tenant_currency(1, 'BUSINESS')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'a long code');
SELECT throws_like($$SELECT api.set_tenant_currency(1, 'U$D')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'not three letters');
SELECT throws_like($$SELECT api.set_tenant_currency(1, '')$$, 'MASTERDATA_UNKNOWN_CURRENCY:%', 'empty');

SELECT * FROM finish();
ROLLBACK;
