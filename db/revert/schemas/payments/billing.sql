-- Revert mercato:schemas/payments/billing from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error
 WHERE code IN ('PAYMENTS_UNKNOWN_MERCHANT', 'PAYMENTS_UNKNOWN_INVOICE', 'PAYMENTS_INVOICE_STATE',
                'PAYMENTS_INVOICE_TOTALS_MISMATCH', 'PAYMENTS_INVOICE_OVERPAID', 'PAYMENTS_REFERENCE_CONFLICT',
                'PAYMENTS_UNKNOWN_ENDPOINT', 'PAYMENTS_UNKNOWN_EVENT');
DELETE FROM core.secret WHERE table_schema = 'payments' AND table_name = 'webhook_secret';
DROP TABLE payments.webhook_delivery;
DROP TABLE payments.merchant_event;
DROP TABLE payments.webhook_secret;
DROP TABLE payments.webhook_endpoint;
DROP TABLE payments.invoice_payment;
DROP TABLE payments.invoice_item;
DROP TABLE payments.invoice;

COMMIT;
