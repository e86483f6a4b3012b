-- Verify mercato:schemas/contracts on pg

BEGIN;

SELECT id, contract_number, rfq_id, business_id, currency, start_date, end_date, total_amount, status,
       commission_policy_version_id, business_wallet_account_id, activated_at, ended_at, end_reason
  FROM contracts.contract WHERE false;
SELECT contract_id, business_id, name, tin_number, kyb_status, tier_code, snapshot, snapshot_at FROM contracts.party_business WHERE false;
SELECT contract_id, provider_id, name, provider_type, tier_code, trust_score, commission_rate, commission_min,
       commission_max, wallet_account_id, snapshot FROM contracts.party_provider WHERE false;
SELECT id, contract_id, award_id, rfq_line_id, provider_id, vehicle_type, engine_type, with_driver, quantity, unit_price,
       days, total_amount, hold_id, escrowed, settled_gross, released FROM contracts.contract_line WHERE false;
SELECT id, contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on, ended_on, end_reason
  FROM contracts.assignment WHERE false;

ROLLBACK;
