-- Verify mercato:schemas/parties/rls on pg

BEGIN;

SELECT 'parties.my_business_id()'::regprocedure, 'parties.my_provider_id()'::regprocedure;
SELECT 1 / has_function_privilege('mercato_user', 'parties.my_business_id()', 'EXECUTE')::int;
SELECT 1 / has_function_privilege('mercato_user', 'parties.my_provider_id()', 'EXECUTE')::int;
-- every table of the schema has row-level security on, and mercato_user may read it
SELECT 1 / (count(*) FILTER (WHERE c.relrowsecurity AND has_table_privilege('mercato_user', c.oid, 'SELECT')) = 5)::int
  FROM pg_class c WHERE c.oid IN ('parties.business'::regclass, 'parties.provider'::regclass, 'parties.trust_score_event'::regclass, 'parties.tier_change'::regclass, 'parties.tier_candidate'::regclass);

ROLLBACK;
