-- Verify mercato:functions/parties/tiers on pg

BEGIN;

SELECT 'parties.recalculate_tiers()'::regprocedure, 'parties.recalculate_provider_tier(bigint)'::regprocedure,
       'parties.recalculate_business_tier(bigint)'::regprocedure, 'parties.apply_trust_events()'::regprocedure,
       'parties.fold_trust_events(bigint)'::regprocedure, 'parties.trust_fold(smallint, smallint)'::regprocedure;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions, which no API role executes (what a caller needs has an api entry point)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['parties.apply_trust_events()'::regprocedure,
                    'parties.fold_trust_events(bigint)'::regprocedure,
                    'parties.recalculate_business_tier(bigint)'::regprocedure,
                    'parties.recalculate_business_tiers(bigint)'::regprocedure,
                    'parties.recalculate_provider_tier(bigint)'::regprocedure,
                    'parties.recalculate_provider_tiers(bigint)'::regprocedure,
                    'parties.recalculate_tiers()'::regprocedure,
                    'parties.trust_fold(smallint, smallint)'::regprocedure,
                    'parties.trust_fold_step(smallint, smallint, smallint)'::regprocedure,
                    'parties.trust_step(smallint, smallint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
