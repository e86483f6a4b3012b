-- Verify mercato:schemas/identity/parties on pg

BEGIN;

SELECT id, user_id, tenant_id, name, business_type, tin_number, kyb_status, tier_code, tier_since, wallet_account_id
  FROM identity.business WHERE false;
SELECT id, user_id, tenant_id, provider_type, name, tin_number, verification_status, trust_score, tier_code, tier_since,
       wallet_account_id FROM identity.provider WHERE false;
SELECT id, provider_id, plate_number, vehicle_type, engine_type, seat_count, brand, model, tags, status, images
  FROM identity.vehicle WHERE false;
SELECT id, vehicle_id, insurance_type, company_name, policy_number, insured_amount, coverage_start, coverage_end,
       certificate_url, status FROM identity.vehicle_insurance WHERE false;
SELECT id, provider_id, target, old_score, new_score, reason, inputs, created_at, applied_at FROM identity.trust_score_event WHERE false;
SELECT id, party_type, party_id, old_tier, new_tier, policy_version_id, inputs FROM identity.tier_change WHERE false;
SELECT party_type, party_id, qualified_tier, since FROM identity.tier_candidate WHERE false;

ROLLBACK;
