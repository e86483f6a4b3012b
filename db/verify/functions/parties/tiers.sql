-- Verify mercato:functions/parties/tiers on pg

BEGIN;

SELECT 'parties.recalculate_tiers()'::regprocedure, 'parties.recalculate_provider_tier(bigint)'::regprocedure,
       'parties.recalculate_business_tier(bigint)'::regprocedure, 'parties.apply_trust_events()'::regprocedure,
       'parties.fold_trust_events(bigint)'::regprocedure, 'parties.trust_fold(smallint, smallint)'::regprocedure;

ROLLBACK;
