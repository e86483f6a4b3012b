-- Revert mercato:functions/orders/store_credit from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.pay_with_store_credit(bigint, numeric, bigint);
DROP FUNCTION orders.issue_store_credit(bigint, numeric, text, text, bigint);
DROP FUNCTION orders.payer_of_order(bigint, bigint);
DROP FUNCTION orders.promotions_account(bigint);
DROP FUNCTION orders.store_credit_account(bigint, bigint);
DROP FUNCTION orders.customer_of_tenant(bigint, bigint);

COMMIT;
