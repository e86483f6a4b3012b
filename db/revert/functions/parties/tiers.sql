-- Revert mercato:functions/parties/tiers from pg

BEGIN;

DROP FUNCTION parties.recalculate_business_tier(bigint), parties.recalculate_provider_tier(bigint),
    parties.recalculate_tiers(), parties.recalculate_business_tiers(bigint), parties.recalculate_provider_tiers(bigint),
    parties.apply_trust_events(), parties.fold_trust_events(bigint);
DROP AGGREGATE parties.trust_fold(smallint, smallint);
DROP FUNCTION parties.trust_fold_step(smallint, smallint, smallint), parties.trust_step(smallint, smallint);

COMMIT;
