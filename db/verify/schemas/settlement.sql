-- Verify mercato:schemas/settlement on pg
-- Existence and privileges only. Fails when any table, column, index or the exclusion constraint is missing (the
-- select or the regclass cast raises), or when an API role may write a table (division by zero).

BEGIN;

SELECT id, provider_id, currency, period_start, period_end, gross, commission, net, status, reference, created_at
  FROM settlement.cycle WHERE false;
SELECT cycle_id, contract_line_id, vehicle_days, unit_price, gross, commission_rate, commission, net, ledger_transaction_id
  FROM settlement.cycle_line WHERE false;

SELECT 'settlement.cycle_line_contract_line_id_idx'::regclass, 'settlement.cycle_no_overlap_excl'::regclass,
       'settlement.cycle_reference_key'::regclass;

-- no API role writes a settlement table
SELECT 1 / (NOT has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['settlement.cycle'::regclass, 'settlement.cycle_line'::regclass]) t,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;

ROLLBACK;
