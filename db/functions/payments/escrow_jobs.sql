-- Deploy mercato:functions/payments/escrow_jobs to pg
-- The goods escrow's periodic duty: HELD, funded escrows whose auto-release date has passed are released to their
-- merchants every 15 minutes (payments.release_due_escrows; the delay is the policy PAYMENTS_ESCROW's).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

SELECT jobs.register('payments.escrow_auto_release', '*/15 * * * *', 'payments.release_due_escrows(integer)',
    'Goods escrow: release HELD, funded escrows past their release_after (funding + the PAYMENTS_ESCROW policy''s '
    'auto_release_days) to their merchants minus the PAYMENT fee; disputed ones stay frozen '
    '(payments.release_due_escrows).');

COMMIT;
