-- Revert mercato:schemas/credit/lines from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP VIEW credit.credit_ledger;
DROP TABLE credit.credit_line;

COMMIT;
