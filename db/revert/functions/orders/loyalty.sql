-- Revert mercato:functions/orders/loyalty from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.customer_balances(bigint, bigint);
DROP FUNCTION orders.pay_with_points(bigint, bigint, bigint);
DROP TRIGGER sales_order_loyalty_earn ON orders.sales_order;
DROP FUNCTION orders.loyalty_earn_trg();
DROP FUNCTION orders.set_loyalty_rule(numeric, numeric, timestamptz, bigint);
DROP FUNCTION orders.loyalty_rule_at(bigint, timestamptz);
DROP FUNCTION orders.loyalty_funding_account(bigint);
DROP FUNCTION orders.points_issuing_account(bigint);
DROP FUNCTION orders.points_account(bigint, bigint);

COMMIT;
