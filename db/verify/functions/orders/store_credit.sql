-- Verify mercato:functions/orders/store_credit on pg

BEGIN;

SELECT 'orders.customer_of_tenant(bigint, bigint)'::regprocedure, 'orders.store_credit_account(bigint, bigint)'::regprocedure,
       'orders.promotions_account(bigint)'::regprocedure, 'orders.payer_of_order(bigint, bigint)'::regprocedure,
       'orders.issue_store_credit(bigint, numeric, text, text, bigint)'::regprocedure,
       'orders.pay_with_store_credit(bigint, numeric, bigint)'::regprocedure;

ROLLBACK;
