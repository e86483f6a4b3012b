-- Revert mercato:functions/settlement/settle from pg

BEGIN;

DROP FUNCTION settlement.settle_provider(bigint, date, date, text, text);
DROP FUNCTION settlement.settle(bigint, text, date, date, text);
DROP FUNCTION settlement.commission(numeric, numeric, numeric, numeric, numeric, integer);

COMMIT;
