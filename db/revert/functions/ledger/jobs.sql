-- Revert mercato:functions/ledger/jobs from pg

BEGIN;

DELETE FROM jobs.job WHERE name = 'ledger.expire_holds';   -- its run history goes with it

COMMIT;
