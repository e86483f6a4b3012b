-- Verify mercato:functions/api/settlement on pg

BEGIN;

SELECT 'api.settle_provider(bigint, date, date, text, text)'::regprocedure, 'api.run_settlement(date, date)'::regprocedure,
       'api.settlement_cycles(bigint, integer)'::regprocedure, 'api.settlement_cycle(bigint)'::regprocedure,
       'api.settlement_check()'::regprocedure;

ROLLBACK;
