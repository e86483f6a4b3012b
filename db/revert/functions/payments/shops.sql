-- Revert mercato:functions/payments/shops from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.get_shop_order(bigint);
DROP FUNCTION payments.pay_shop_order(bigint, numeric);
DROP FUNCTION payments.pay_with_wallet(payments.shop, bigint, numeric, bigint);
DROP FUNCTION payments.shop_order_of_buyer(bigint);
DROP FUNCTION payments.place_shop_order(bigint, jsonb, jsonb);
DROP FUNCTION payments.shop_customer_for(payments.shop, bigint);
DROP FUNCTION payments.open_shop(bigint, text, text, text);

COMMIT;
