-- Revert mercato:functions/payments/escrow_jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'payments.escrow_auto_release';   -- its run history goes with it

COMMIT;
