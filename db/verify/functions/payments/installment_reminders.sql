-- Verify mercato:functions/payments/installment_reminders on pg

BEGIN;

SELECT 1 / count(*)::int FROM jobs.job
 WHERE name = 'payments.installment_reminders'
   AND to_regprocedure(function_name) = 'payments.remind_due_installments(integer)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.installment_reminder_days(timestamptz)', 'payments.remind_due_installments(integer)']) AS f;

ROLLBACK;
