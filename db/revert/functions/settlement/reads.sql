-- Revert mercato:functions/settlement/reads from pg

BEGIN;

DROP FUNCTION settlement.get_cycle(bigint);
DROP FUNCTION settlement.list_cycles(bigint, integer);

COMMIT;
