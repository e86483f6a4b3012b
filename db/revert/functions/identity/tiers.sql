-- Revert mercato:functions/identity/tiers from pg

BEGIN;

DROP FUNCTION identity.recalculate_business_tier(bigint), identity.recalculate_provider_tier(bigint),
    identity.recalculate_tiers(), identity.recalculate_business_tiers(bigint), identity.recalculate_provider_tiers(bigint),
    identity.apply_trust_events(), identity.fold_trust_events(bigint);
DROP AGGREGATE identity.trust_fold(smallint, smallint);
DROP FUNCTION identity.trust_fold_step(smallint, smallint, smallint), identity.trust_step(smallint, smallint);

COMMIT;
