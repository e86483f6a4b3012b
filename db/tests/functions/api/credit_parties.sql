-- Tests for functions/api/credit_parties: who may call each wrapper, and one call through each path.
BEGIN;
SELECT plan(6);

CREATE TEMP TABLE w AS SELECT tests.credit_world('cap') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT ok(NOT has_function_privilege('mercato_anon', 'api.register_vendor(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.credit_vendors(core.name_text)', 'EXECUTE'),
          'anonymous callers register and read nothing');
SELECT ok(NOT has_function_privilege('mercato_service', 'api.register_retailer(core.name_text, core.name_text)', 'EXECUTE'),
          'the back office registers no party of its own');
SELECT tests.as_anon();
SELECT throws_ok($$SELECT api.credit_retailers()$$, '42501', NULL, 'anonymous: permission denied');
SELECT tests.as_user('cap-retailer');
SELECT is((SELECT (category, max_limit)::text FROM api.credit_risk_band(700, 'INR')), '(MEDIUM,200000.00)',
          'any user reads a band');
SELECT is((SELECT (retailer_id, score, risk_category)::text FROM api.credit_retailers()),
          format('(%s,700,MEDIUM)', pg_temp.u('retailer')), 'a retailer''s member sees its retailer with its category');
SELECT tests.as_service();
SELECT is((SELECT count(*)::int FROM api.credit_vendors('PENDING') WHERE vendor_id = pg_temp.u('pending')), 1,
          'the back office lists vendors by status');

SELECT * FROM finish();
ROLLBACK;
