-- Revert mercato:functions/orders/customers from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.update_my_customer(jsonb);
DROP FUNCTION orders.my_customer();
DROP FUNCTION orders.create_my_customer(jsonb);
DROP FUNCTION orders.my_tenant_user();
DROP FUNCTION orders.list_customers(text, text, text, bigint, integer, bigint);
DROP FUNCTION orders.get_customer(bigint, bigint);
DROP FUNCTION orders.link_customer_user(bigint, bigint, bigint);
DROP FUNCTION orders.update_customer(bigint, jsonb, bigint);
DROP FUNCTION orders.create_customer(jsonb, bigint);
DROP FUNCTION orders.customer_write(bigint, bigint, jsonb, text[]);
DROP FUNCTION orders.customer_doc(orders.customer);
DROP TRIGGER payment_customer_totals ON orders.payment;
DROP FUNCTION orders.customer_payment_trg();
DROP TRIGGER sales_order_customer_totals ON orders.sales_order;
DROP FUNCTION orders.customer_order_trg();
DROP TRIGGER customer_guard ON orders.customer;
DROP FUNCTION orders.customer_guard_trg();

COMMIT;
