-- Revert mercato:functions/payments/withdrawals from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.get_withdrawal(bigint);
DROP FUNCTION payments.finish_withdrawal(bigint, text, text, text);
DROP FUNCTION payments.complete_withdrawal(bigint);
DROP FUNCTION payments.settle_withdrawal(payments.withdrawal, text, text, text);
DROP FUNCTION payments.request_withdrawal(bigint, text, numeric, text);
DROP FUNCTION payments.withdrawal_json(payments.withdrawal);

COMMIT;
