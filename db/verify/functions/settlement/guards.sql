-- Verify mercato:functions/settlement/guards on pg
-- Existence only. Fails when any error code or trigger of the change is missing, disabled or calls another
-- function (division by zero).

BEGIN;

-- every error code of the module is in the catalogue
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY[
                   'SETTLEMENT_INVALID_PERIOD',
                   'SETTLEMENT_PERIOD_OPEN',
                   'SETTLEMENT_PERIOD_SETTLED',
                   'SETTLEMENT_REFERENCE_CONFLICT',
                   'SETTLEMENT_NOTHING_TO_SETTLE',
                   'SETTLEMENT_FORBIDDEN',
                   'SETTLEMENT_UNKNOWN_PROVIDER',
                   'SETTLEMENT_UNKNOWN_CYCLE',
                   'SETTLEMENT_IMMUTABLE']) c;

-- every trigger, on its table, calling its function, enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = g.fn AND t.tgenabled <> 'D')::int
  FROM (VALUES
       ('cycle_line_immutable', 'settlement.cycle_line'::regclass, 'core.refuse_change_trg()'::regprocedure),
       ('cycle_no_delete', 'settlement.cycle'::regclass, 'core.refuse_change_trg()'::regprocedure)
       ) AS g(name, rel, fn);

ROLLBACK;
