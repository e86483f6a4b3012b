-- Revert mercato:functions/payments/jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name IN ('payments.sweep_rail_instructions', 'payments.expire_funding_sessions');

COMMIT;
