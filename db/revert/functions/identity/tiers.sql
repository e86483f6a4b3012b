-- Revert mercato:functions/identity/tiers from pg

BEGIN;

DROP FUNCTION identity.recalculate_business_tier(bigint), identity.recalculate_provider_tier(bigint),
    identity.recalculate_tiers(), identity.recalculate_business_tiers(bigint), identity.recalculate_provider_tiers(bigint);

COMMIT;
