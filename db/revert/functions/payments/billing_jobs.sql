-- Revert mercato:functions/payments/billing_jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'payments.invoice_overdue';   -- its run history goes with it

COMMIT;
