-- Verify mercato:schemas/parties/rls on pg

BEGIN;

SELECT 'parties.my_business_id()'::regprocedure, 'parties.my_provider_id()'::regprocedure;
SELECT 1 / has_function_privilege('mercato_user', 'parties.my_business_id()', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('mercato_user', 'parties.my_provider_id()', 'EXECUTE')::int;
-- every table of the schema has row-level security on, and mercato_user may read it
SELECT 1 / (count(*) FILTER (WHERE c.relrowsecurity AND has_table_privilege('mercato_user', c.oid, 'SELECT')) = 5)::int
  FROM pg_class c WHERE c.oid IN ('parties.business'::regclass, 'parties.provider'::regclass, 'parties.trust_score_event'::regclass, 'parties.tier_change'::regclass, 'parties.tier_candidate'::regclass);

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- the routines it grants to API roles
SELECT 1 / pg_catalog.has_function_privilege(x.role, x.f, 'EXECUTE')::int
  FROM (VALUES ('parties.my_business_id()', 'mercato_service'),
               ('parties.my_provider_id()', 'mercato_service')) AS x(f, role);
-- its policies
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.tab::regclass AND p.polname = x.name)::int
  FROM (VALUES ('parties.business', 'business_own'),
               ('parties.business', 'business_service'),
               ('parties.provider', 'provider_own'),
               ('parties.provider', 'provider_service'),
               ('parties.tier_candidate', 'tier_candidate_own'),
               ('parties.tier_candidate', 'tier_candidate_service'),
               ('parties.tier_change', 'tier_change_own'),
               ('parties.tier_change', 'tier_change_service'),
               ('parties.trust_score_event', 'trust_score_event_own'),
               ('parties.trust_score_event', 'trust_score_event_service')) AS x(tab, name);

ROLLBACK;
