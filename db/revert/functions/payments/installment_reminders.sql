-- Revert mercato:functions/payments/installment_reminders from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name = 'payments.installment_reminders';   -- its run history goes with it
DROP FUNCTION payments.remind_due_installments(integer);
DROP FUNCTION payments.installment_reminder_days(timestamptz);

COMMIT;
