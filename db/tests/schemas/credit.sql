-- Tests for schemas/credit: the schema, who uses it, its error codes.
BEGIN;
SELECT plan(4);

SELECT has_schema('credit', 'the credit schema exists');
SELECT ok(has_schema_privilege('mercato_user', 'credit', 'USAGE') AND NOT has_schema_privilege('mercato_anon', 'credit', 'USAGE'),
          'users and the back office use it, anonymous callers do not');
SELECT is((SELECT sqlstate FROM core.error WHERE code = 'CREDIT_EXPOSURE_CAP'), 'PT409', 'an exceeded cap is a 409');
SELECT ok((SELECT bool_and(code LIKE 'CREDIT\_%' AND sqlstate ~ '^PT[0-9]{3}$') FROM core.error WHERE module = 'credit'),
          'every credit code is CREDIT_* with an HTTP status');

SELECT * FROM finish();
ROLLBACK;
