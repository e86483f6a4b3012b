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

ROLLBACK;
