-- Revert mercato:functions/api/payments_installments from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.get_installment_plan(bigint);
DROP FUNCTION api.cancel_installment_plan(bigint);
DROP FUNCTION api.pay_installment(bigint);
DROP FUNCTION api.create_installment_plan(bigint, integer, integer, core.finite_timestamptz);

COMMIT;
