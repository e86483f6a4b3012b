-- Verify mercato:schemas/masterdata/marketplace on pg

BEGIN;

SELECT code, name, rank, is_default FROM masterdata.provider_tier WHERE false;
SELECT code, name, rank, is_default FROM masterdata.business_tier WHERE false;
SELECT policy_version_id, tier_code, min_trust_score, max_trust_score, min_active_vehicles FROM masterdata.provider_tier_rule WHERE false;
SELECT policy_version_id, tier_code, min_completed_contracts, min_active_fleet, max_rfqs_per_month FROM masterdata.business_tier_rule WHERE false;
SELECT policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount, minimum_share
  FROM masterdata.commission_rule WHERE false;
SELECT 1 / (count(*) = 4)::int FROM masterdata.provider_tier;

ROLLBACK;
