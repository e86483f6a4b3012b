-- Tests for schemas/identity/tenant_currency: the column, its foreign key, the error code.
BEGIN;
SELECT plan(5);

SELECT has_column('identity', 'tenant', 'currency', 'identity.tenant.currency');
SELECT col_is_null('identity', 'tenant', 'currency', 'NULL until set');
SELECT fk_ok('identity', 'tenant', 'currency', 'masterdata', 'currency', 'code', 'a masterdata currency');
SELECT throws_ok($$INSERT INTO identity.tenant (code, name, currency) VALUES ('tc-x', 'X', 'ZZZ')$$, '23503', NULL,
                 'an unknown currency is refused by the foreign key');
SELECT is((SELECT sqlstate FROM core.error WHERE code = 'IDENTITY_TENANT_CURRENCY_SET'), 'PT409', 'the error code is catalogued');

SELECT * FROM finish();
ROLLBACK;
