-- Revert mercato:schemas/payments/rails from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error
 WHERE code IN ('PAYMENTS_UNKNOWN_RAIL', 'PAYMENTS_WEBHOOK_UNAUTHENTICATED', 'PAYMENTS_WEBHOOK_REPLAYED',
                'PAYMENTS_WEBHOOK_MALFORMED', 'PAYMENTS_UNKNOWN_FUNDING_SESSION', 'PAYMENTS_UNKNOWN_WITHDRAWAL',
                'PAYMENTS_LIMIT_EXCEEDED', 'PAYMENTS_INSUFFICIENT_FUNDS');
DELETE FROM masterdata.setting WHERE key = 'PAYMENTS_FUNDING_SESSION_MINUTES';
DELETE FROM core.secret WHERE table_schema = 'payments' AND table_name = 'rail_secret';
DROP TABLE payments.withdrawal;
DROP TABLE payments.funding_session;
DROP TABLE payments.webhook_dedupe;
DROP TABLE payments.webhook_event;
DROP TABLE payments.rail_status_query;
DROP TABLE payments.rail_instruction;
DROP TABLE payments.rail_secret;
DROP TABLE payments.rail;
-- The rails' CLEARING ledger accounts stay: a ledger account is never deleted (its history is the ledger's).

COMMIT;
