-- Revert mercato:functions/settlement from pg

BEGIN;

DROP PROCEDURE settlement.run_period_in_steps(date, date, integer, integer);
DROP FUNCTION settlement.settle_period_step(date, date, bigint, text);
DROP FUNCTION settlement.period_to_settle(date, date);
DROP FUNCTION settlement.check();
DROP FUNCTION settlement.get_cycle(bigint);
DROP FUNCTION settlement.list_cycles(bigint, integer);
DROP FUNCTION settlement.run_period(date, date);
DROP FUNCTION settlement.settle_provider(bigint, date, date, text, text);
DROP FUNCTION settlement.settle(bigint, text, date, date, text);
DROP FUNCTION settlement.commission(numeric, numeric, numeric, numeric, integer);
DROP FUNCTION settlement.run_reference(date, date, bigint, text);
DROP FUNCTION settlement.period_settled(bigint, text, date, date);
DROP TRIGGER cycle_no_delete ON settlement.cycle;
DROP TRIGGER cycle_line_immutable ON settlement.cycle_line;
DELETE FROM core.error WHERE module = 'settlement';

COMMIT;
