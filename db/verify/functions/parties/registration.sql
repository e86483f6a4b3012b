-- Verify mercato:functions/parties/registration on pg

BEGIN;

SELECT 'parties.current_business()'::regprocedure, 'parties.current_provider()'::regprocedure,
       'parties.is_marketplace_admin()'::regprocedure, 'parties.require_admin()'::regprocedure,
       'parties.register_business(text, text, text)'::regprocedure, 'parties.register_provider(text, text, text)'::regprocedure,
       'parties.set_business_kyb(bigint, text)'::regprocedure, 'parties.set_provider_verification(bigint, text)'::regprocedure,
       'parties.top_up_business(bigint, numeric, text)'::regprocedure,
       'parties.acts_for_business(bigint, text)'::regprocedure, 'parties.acts_for_provider(bigint, text)'::regprocedure,
       'parties.party_organization_trg()'::regprocedure;
SELECT 1 / (count(*) = 2)::int FROM pg_trigger
 WHERE (tgrelid, tgname) IN (('parties.business'::regclass, 'business_organization'), ('parties.provider'::regclass, 'provider_organization'));
SELECT 1 / has_function_privilege('mercato_user', 'parties.is_marketplace_admin()', 'EXECUTE')::int;
SELECT 1 / (NOT has_function_privilege('mercato_user', 'parties.register_business(text, text, text)', 'EXECUTE'))::int;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions, which no API role executes (what a caller needs has an api entry point)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['parties.acts_for_business(bigint, text)'::regprocedure,
                    'parties.acts_for_provider(bigint, text)'::regprocedure,
                    'parties.check_party_text(text, text, integer, boolean)'::regprocedure,
                    'parties.check_tin(text)'::regprocedure,
                    'parties.current_business()'::regprocedure,
                    'parties.current_provider()'::regprocedure,
                    'parties.party_organization_trg()'::regprocedure,
                    'parties.register_provider(text, text, text)'::regprocedure,
                    'parties.require_admin()'::regprocedure,
                    'parties.set_business_kyb(bigint, text)'::regprocedure,
                    'parties.set_provider_verification(bigint, text)'::regprocedure,
                    'parties.top_up_business(bigint, numeric, text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- the routines it grants to API roles
SELECT 1 / pg_catalog.has_function_privilege(x.role, x.f, 'EXECUTE')::int
  FROM (VALUES ('parties.is_marketplace_admin()', 'mercato_service')) AS x(f, role);
-- its triggers, each present and enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = x.tab::regclass AND t.tgname = x.name AND t.tgenabled <> 'D')::int
  FROM (VALUES ('parties.business', 'business_organization'),
               ('parties.provider', 'provider_organization')) AS x(tab, name);
-- its error codes
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['IDENTITY_ALREADY_REGISTERED',
                    'IDENTITY_NOT_A_BUSINESS',
                    'IDENTITY_NOT_A_PROVIDER',
                    'IDENTITY_PARTY_INVALID',
                    'IDENTITY_UNKNOWN_BUSINESS',
                    'IDENTITY_UNKNOWN_PROVIDER',
                    'IDENTITY_WRONG_USER_TYPE']) AS c;

ROLLBACK;
