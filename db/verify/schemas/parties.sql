-- Verify mercato:schemas/parties on pg

BEGIN;

SELECT id, user_id, organization_id, tenant_id, name, business_type, tin_number, kyb_status, tier_code, tier_since, wallet_account_id
  FROM parties.business WHERE false;
SELECT id, user_id, organization_id, tenant_id, provider_type, name, tin_number, verification_status, trust_score, tier_code, tier_since,
       wallet_account_id FROM parties.provider WHERE false;
SELECT id, provider_id, target, old_score, new_score, reason, inputs, created_at, applied_at FROM parties.trust_score_event WHERE false;
SELECT id, party_type, party_id, old_tier, new_tier, policy_version_id, inputs FROM parties.tier_change WHERE false;
SELECT party_type, party_id, qualified_tier, since FROM parties.tier_candidate WHERE false;
SELECT 1 / (count(*) = 2)::int FROM identity.organization_kind WHERE code IN ('BUSINESS', 'PROVIDER');
SELECT 1 / (NOT has_schema_privilege('public', 'parties', 'USAGE') AND has_schema_privilege('mercato_user', 'parties', 'USAGE'))::int;

ROLLBACK;
