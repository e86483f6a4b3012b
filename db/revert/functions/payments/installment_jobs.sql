-- Revert mercato:functions/payments/installment_jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'payments.installments_auto_debit';   -- its run history goes with it

COMMIT;
