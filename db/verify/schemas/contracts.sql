-- Verify mercato:schemas/contracts on pg
-- Existence and privileges only. Fails when any table, column, index or the exclusion constraint is missing (the
-- select or the regclass cast raises), when a sealed declaration is missing, or when an API role may write a table
-- (division by zero).

BEGIN;

SELECT id, contract_number, rfq_id, business_id, currency, start_date, end_date, total_amount, status,
       commission_policy_version_id, business_wallet_account_id, created_at, activated_at, ended_at, end_reason
  FROM contracts.contract WHERE false;
SELECT contract_id, business_id, name, tin_number, kyb_status, tier_code, snapshot, snapshot_at FROM contracts.party_business WHERE false;
SELECT contract_id, provider_id, name, tin_number, provider_type, tier_code, trust_score, commission_rate, commission_min,
       commission_max, commission_min_share, wallet_account_id, snapshot, snapshot_at FROM contracts.party_provider WHERE false;
SELECT id, contract_id, award_id, rfq_line_id, provider_id, vehicle_type, engine_type, with_driver, quantity, unit_price,
       days, total_amount, hold_id, escrowed, settled_gross, released FROM contracts.contract_line WHERE false;
SELECT id, contract_line_id, contract_id, provider_id, vehicle_id, period, status, live, started_on, ended_on, end_reason,
       created_at, updated_at
  FROM contracts.assignment WHERE false;

SELECT 'contracts.contract_business_id_idx'::regclass, 'contracts.contract_status_idx'::regclass,
       'contracts.contract_line_contract_id_idx'::regclass, 'contracts.contract_line_provider_id_idx'::regclass,
       'contracts.assignment_contract_line_id_idx'::regclass, 'contracts.assignment_contract_id_idx'::regclass,
       'contracts.assignment_provider_id_idx'::regclass, 'contracts.assignment_vehicle_no_overlap_excl'::regclass;

-- the sealed data is declared
SELECT 1 / (SELECT count(*) FROM core.secret s
             WHERE s.table_schema = 'contracts' AND s.table_name = x.t AND s.column_name IS NOT DISTINCT FROM x.c
               AND s.kind = 'SEALED')::int
  FROM (VALUES ('contract_line', NULL), ('contract', 'total_amount')) AS x(t, c);

-- no API role writes a contracts table
SELECT 1 / (NOT has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['contracts.contract'::regclass, 'contracts.party_business'::regclass, 'contracts.party_provider'::regclass,
                    'contracts.contract_line'::regclass, 'contracts.assignment'::regclass]) t,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;

ROLLBACK;
