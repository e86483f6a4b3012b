-- Verify mercato:functions/identity/tiers on pg

BEGIN;

SELECT 'identity.recalculate_tiers()'::regprocedure, 'identity.recalculate_provider_tier(bigint)'::regprocedure,
       'identity.recalculate_business_tier(bigint)'::regprocedure, 'identity.apply_trust_events()'::regprocedure,
       'identity.fold_trust_events(bigint)'::regprocedure, 'identity.trust_fold(smallint, smallint)'::regprocedure;

ROLLBACK;
