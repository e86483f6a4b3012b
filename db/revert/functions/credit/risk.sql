-- Revert mercato:functions/credit/risk from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION credit.risk_of(integer, timestamptz);
DROP FUNCTION credit.risk_band(integer, text, timestamptz);

COMMIT;
