-- Tests for functions/api/marketplace: every endpoint is documented and granted explicitly; the wrappers keep the
-- module functions' rules (sealed bids, who may verify a code).
BEGIN;
SELECT plan(9);

SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'api'::regnamespace
            AND has_function_privilege('mercato_anon', p.oid, 'EXECUTE')
            AND p.proname IN ('submit_bid', 'rfq_bids', 'verify_code', 'register_business', 'award_rfq')), 0,
          'anonymous callers reach no marketplace write or bid read');
SELECT function_privs_are('api', 'verify_code', ARRAY['bigint', 'core.name_text', 'core.json_doc'], 'mercato_user', ARRAY['EXECUTE'],
                          'authenticated callers may try codes (the function decides who)');
SELECT volatility_is('api', 'rfq_bids', ARRAY['bigint'], 'stable', 'ranked bids are a GET');
SELECT volatility_is('api', 'verify_code', ARRAY['bigint', 'core.name_text', 'core.json_doc'], 'volatile', 'verifying is a POST');
SELECT function_privs_are('api', 'update_rfq', ARRAY['bigint', 'core.name_text', 'core.finite_date', 'core.finite_date',
                          'core.finite_timestamptz', 'core.json_doc', 'core.long_text'], 'mercato_anon', ARRAY[]::text[],
                          'anonymous callers edit no RFQ');
SELECT volatility_is('api', 'update_rfq', ARRAY['bigint', 'core.name_text', 'core.finite_date', 'core.finite_date',
                     'core.finite_timestamptz', 'core.json_doc', 'core.long_text'], 'volatile', 'editing a draft is a POST');
SELECT alike(obj_description('api.verify_code(bigint, core.name_text, core.json_doc)'::regprocedure, 'pg_proc'), '%is NOT an error%',
             'the wrapper documents that a wrong code is an answer');

SELECT identity.register_user('kc|api-mk-b', 'BUSINESS', 'B');
SELECT set_config('request.jwt.claims', '{"sub": "kc|api-mk-b", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT ok(api.register_business('B plc', 'RETAIL') > 0, 'a business registers through the API');
SELECT throws_like($$SELECT * FROM api.rfq_bids(1)$$, 'MARKETPLACE_UNKNOWN_RFQ:%', 'and sees no one else''s RFQ');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
