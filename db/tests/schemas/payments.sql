-- Tests for schemas/payments: the schema, its users and its first error code.
BEGIN;
SELECT plan(3);

SELECT has_schema('payments', 'the payments schema exists');
SELECT ok(has_schema_privilege('mercato_user', 'payments', 'USAGE') AND NOT has_schema_privilege('mercato_anon', 'payments', 'USAGE'),
          'users and the back office use it, anonymous callers do not');
SELECT is((SELECT sqlstate FROM core.error WHERE code = 'PAYMENTS_INVALID_QR'), 'PT400', 'an invalid QR payload is a 400');

SELECT * FROM finish();
ROLLBACK;
