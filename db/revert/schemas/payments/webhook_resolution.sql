-- Revert mercato:schemas/payments/webhook_resolution from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error
 WHERE code IN ('PAYMENTS_UNKNOWN_WEBHOOK_EVENT', 'PAYMENTS_WEBHOOK_EVENT_FINAL', 'PAYMENTS_WEBHOOK_EVENT_UNPARSED',
                'PAYMENTS_WEBHOOK_EVENT_FLAGGED');
DROP TABLE payments.webhook_resolution;

COMMIT;
