-- Revert mercato:functions/ledger/overdraft_limit from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code = 'LEDGER_OVERDRAFT_BELOW_DEBT';
DROP FUNCTION ledger.set_overdraft_limit(bigint, numeric);

COMMIT;
