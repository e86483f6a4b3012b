-- Revert mercato:functions/payments/intent_jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name IN ('payments.intent_expiry', 'payments.idempotency_retention');

COMMIT;
