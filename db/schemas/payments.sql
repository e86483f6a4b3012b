-- Deploy mercato:schemas/payments to pg
-- The payments product (issue 19; docs/payments.md): wallets, rails, webhooks, payment intents, fees, invoices, goods
-- escrow, installments and KE-QR codes, on the ledger (all money) and the outbox (all messages). This first part creates
-- the schema and the error codes of its first use case, the KE-QR payload (functions/payments/qr); the tables come with
-- the use cases that write them.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE SCHEMA payments;
COMMENT ON SCHEMA payments IS
'The payments product (issue 19): wallets, rails, webhooks, payment intents, fees, invoices, goods escrow,
installments and KE-QR codes. Money moves only through the ledger, messages only through the outbox.';
GRANT USAGE ON SCHEMA payments TO mercato_user, mercato_service;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_INVALID_QR', 'payments', 'PT400', 'the QR payload is invalid', NULL,
 'A KE-QR payload (EMVCo merchant-presented mode) that does not parse, whose CRC-16 does not match, or whose fields '
 'break the standard (a missing or malformed tag, a currency other than 404, a country other than KE, a dynamic code '
 'without an amount); the detail names the tag and the reason. Also a code asked to be built from such fields.');

COMMIT;
