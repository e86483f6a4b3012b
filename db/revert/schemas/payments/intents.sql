-- Revert mercato:schemas/payments/intents from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error
 WHERE code IN ('PAYMENTS_IDEMPOTENCY_MISMATCH', 'PAYMENTS_IDEMPOTENCY_IN_PROGRESS', 'PAYMENTS_UNKNOWN_INTENT',
                'PAYMENTS_INTENT_STATE', 'PAYMENTS_REFUND_EXCEEDS', 'PAYMENTS_UNKNOWN_SHARE', 'PAYMENTS_QR_UNKNOWN',
                'PAYMENTS_QR_USED', 'PAYMENTS_QR_EXPIRED');
DELETE FROM core.secret WHERE table_schema = 'payments' AND table_name = 'intent_secret_key';
DROP TABLE payments.intent_secret_key;
DROP TABLE payments.qr_code;
DROP TABLE payments.intent_refund;
DROP TABLE payments.intent_event;
DROP TABLE payments.intent_share;
DROP TABLE payments.payment_intent;
DROP TABLE payments.idempotency_key;

COMMIT;
