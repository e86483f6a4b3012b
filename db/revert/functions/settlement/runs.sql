-- Revert mercato:functions/settlement/runs from pg

BEGIN;

DROP PROCEDURE settlement.run_period_in_steps(date, date, integer, integer);
DROP FUNCTION settlement.settle_period_step(date, date, bigint, text);
DROP FUNCTION settlement.run_period(date, date);
DROP FUNCTION settlement.period_to_settle(date, date);
DROP FUNCTION settlement.period_settled(bigint, text, date, date);
DROP FUNCTION settlement.run_reference(date, date, bigint, text);

COMMIT;
