-- Verify mercato:schemas/settlement on pg

BEGIN;

SELECT id, provider_id, currency, period_start, period_end, gross, commission, net, status, reference FROM settlement.cycle WHERE false;
SELECT cycle_id, contract_line_id, vehicle_days, unit_price, gross, commission_rate, commission, net, ledger_transaction_id
  FROM settlement.cycle_line WHERE false;

ROLLBACK;
