-- Deploy mercato:functions/payments/intent_jobs to pg
-- The periodic duties of payment intents: the expiry sweep every minute (unconfirmed or uncaptured intents past their
-- expiry canceled, holds released) and the daily retention of idempotency keys (at least 30 days kept).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

SELECT jobs.register('payments.intent_expiry', '* * * * *', 'payments.expire_intents(integer)',
    'Payment intents past their expiry and not final are CANCELED (reason expired), every hold released '
    '(payments.expire_intents).');
SELECT jobs.register('payments.idempotency_retention', '23 4 * * *', 'payments.purge_idempotency_keys(integer)',
    'Idempotency keys past their retention (at least 30 days) are deleted (payments.purge_idempotency_keys).');

COMMIT;
