-- Revert mercato:functions/payments/withdrawal_review from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.resolve_flagged_withdrawal(bigint, text, text);

COMMIT;
