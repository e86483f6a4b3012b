-- Verify mercato:functions/api/settlement on pg

BEGIN;

SELECT 'api.settle_provider(bigint, core.finite_date, core.finite_date, core.name_text, core.name_text)'::regprocedure, 'api.run_settlement(core.finite_date, core.finite_date)'::regprocedure,
       'api.settlement_cycles(bigint, integer)'::regprocedure, 'api.settlement_cycle(bigint)'::regprocedure,
       'api.settlement_check()'::regprocedure, 'api.period_to_settle(core.finite_date, core.finite_date)'::regprocedure,
       'api.settle_period_step(core.finite_date, core.finite_date, bigint, core.name_text)'::regprocedure;

ROLLBACK;
