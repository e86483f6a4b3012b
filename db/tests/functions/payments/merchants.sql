-- Tests for functions/payments/merchants: a signed-in user registers a merchant and is its OWNER with a KES wallet;
-- members come through identity's organization api; who acts for a merchant with which role.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pmr') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT tests.as_user('pmr-payer');
CREATE TEMP TABLE reg AS SELECT * FROM api.register_merchant('  Mama Mboga  ');
SELECT tests.as_owner();
SELECT is((SELECT (o.kind, o.name, m.role, m.user_id = pg_temp.u('payer'))::text
             FROM reg JOIN identity.organization o ON o.id = reg.organization_id
             JOIN identity.membership m ON m.organization_id = o.id),
          '(MERCHANT,"Mama Mboga",OWNER,t)', 'the caller opened a MERCHANT organization and is its OWNER');
SELECT is((SELECT (w.owner_type, w.currency, w.organization_id = reg.organization_id)::text
             FROM reg JOIN payments.wallet w ON w.account_id = reg.wallet_id), '(ORG,KES,t)',
          'its KES wallet is opened');
SELECT tests.as_user('pmr-payer');
SELECT throws_like($$SELECT * FROM api.register_merchant('   ')$$, 'PAYMENTS_INVALID_INPUT:%', 'a merchant has a name');
SELECT api.add_member((SELECT organization_id FROM reg), pg_temp.u('clerk'), NULL, 'ADMIN');
SELECT tests.as_owner();
GRANT EXECUTE ON FUNCTION payments.require_merchant(bigint, text) TO mercato_user, mercato_service;
SELECT tests.as_user('pmr-clerk');
SELECT is((payments.require_merchant((SELECT organization_id FROM reg), 'ADMIN')).id, (SELECT organization_id FROM reg),
          'a member added through identity''s api acts for the merchant with its role');
SELECT set_config('request.jwt.claims', jsonb_build_object('sub', 'pmr-clerk', 'role', 'mercato_user',
                                                           'org', pg_temp.u('merchant'))::text, true);
SELECT throws_like($$SELECT payments.require_merchant((SELECT organization_id FROM reg), 'STAFF')$$,
                   'PAYMENTS_UNKNOWN_MERCHANT:%', 'an "org" claim naming another organization acts for that one only');
SELECT is((payments.require_merchant(pg_temp.u('merchant'), 'STAFF')).id, pg_temp.u('merchant'), 'STAFF acts as STAFF');
SELECT throws_like($$SELECT payments.require_merchant(pg_temp.u('merchant'), 'ADMIN')$$, 'PAYMENTS_UNKNOWN_MERCHANT:%',
                   'but not as ADMIN');
SELECT tests.as_service();
SELECT is((payments.require_merchant(pg_temp.u('merchant'))).kind, 'MERCHANT', 'the back office acts for any merchant');
SELECT tests.as_owner();
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.register_merchant(core.name_text, core.name_text)', 'EXECUTE'),
          'not anonymously');
SELECT * FROM finish();
ROLLBACK;
