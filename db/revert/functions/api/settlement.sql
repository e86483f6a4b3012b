-- Revert mercato:functions/api/settlement from pg

BEGIN;

DROP FUNCTION api.settlement_check(), api.settlement_cycle(bigint), api.settlement_cycles(bigint, integer),
    api.run_settlement(date, date), api.settle_provider(bigint, date, date, text, text);

COMMIT;
