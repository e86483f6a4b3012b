-- Verify mercato:functions/payments/shops on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY[
    'payments.open_shop(bigint, text, text, text)',
    'payments.shop_customer_for(payments.shop, bigint)',
    'payments.place_shop_order(bigint, jsonb, jsonb)',
    'payments.shop_order_of_buyer(bigint)',
    'payments.pay_with_wallet(payments.shop, bigint, numeric, bigint)',
    'payments.pay_shop_order(bigint, numeric)',
    'payments.get_shop_order(bigint)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY[
    'payments.open_shop(bigint, text, text, text)',
    'payments.shop_customer_for(payments.shop, bigint)',
    'payments.place_shop_order(bigint, jsonb, jsonb)',
    'payments.shop_order_of_buyer(bigint)',
    'payments.pay_with_wallet(payments.shop, bigint, numeric, bigint)',
    'payments.pay_shop_order(bigint, numeric)',
    'payments.get_shop_order(bigint)']) AS f;

ROLLBACK;
