-- Verify mercato:functions/identity/tiers on pg

BEGIN;

SELECT 'identity.recalculate_tiers()'::regprocedure, 'identity.recalculate_provider_tier(bigint)'::regprocedure,
       'identity.recalculate_business_tier(bigint)'::regprocedure;

ROLLBACK;
