-- Revert mercato:functions/payments/escrow_lists from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.list_installment_plans(bigint, text, bigint, integer);
DROP FUNCTION payments.list_escrows(bigint, text, bigint, integer);
DROP FUNCTION payments.list_caller(bigint, integer);

COMMIT;
