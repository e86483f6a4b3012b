-- Revert mercato:functions/api/settlement from pg

BEGIN;

DROP FUNCTION api.settle_period_step(core.finite_date, core.finite_date, bigint, core.name_text), api.period_to_settle(core.finite_date, core.finite_date), api.settlement_check(), api.settlement_cycle(bigint), api.settlement_cycles(bigint, integer),
    api.run_settlement(core.finite_date, core.finite_date), api.settle_provider(bigint, core.finite_date, core.finite_date, core.name_text, core.name_text);

COMMIT;
