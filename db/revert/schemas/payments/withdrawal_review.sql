-- Revert mercato:schemas/payments/withdrawal_review from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code = 'PAYMENTS_WITHDRAWAL_STATE';

COMMIT;
