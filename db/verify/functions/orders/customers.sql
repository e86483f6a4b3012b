-- Verify mercato:functions/orders/customers on pg

BEGIN;

SELECT 'orders.customer_guard_trg()'::regprocedure, 'orders.customer_order_trg()'::regprocedure,
       'orders.customer_payment_trg()'::regprocedure, 'orders.customer_doc(orders.customer)'::regprocedure,
       'orders.customer_write(bigint, bigint, jsonb, text[])'::regprocedure,
       'orders.create_customer(jsonb, bigint)'::regprocedure, 'orders.update_customer(bigint, jsonb, bigint)'::regprocedure,
       'orders.link_customer_user(bigint, bigint, bigint)'::regprocedure, 'orders.get_customer(bigint, bigint)'::regprocedure,
       'orders.list_customers(text, text, text, bigint, integer, bigint)'::regprocedure,
       'orders.my_tenant_user()'::regprocedure, 'orders.create_my_customer(jsonb)'::regprocedure,
       'orders.my_customer()'::regprocedure, 'orders.update_my_customer(jsonb)'::regprocedure;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t WHERE t.tgrelid = x.r::regclass AND t.tgname = x.n
             AND t.tgenabled <> 'D')::int
  FROM (VALUES ('orders.customer', 'customer_guard'), ('orders.sales_order', 'sales_order_customer_totals'),
               ('orders.payment', 'payment_customer_totals')) AS x(r, n);

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.customer_guard_trg()',
                    'orders.customer_order_trg()',
                    'orders.customer_payment_trg()',
                    'orders.customer_doc(orders.customer)',
                    'orders.customer_write(bigint, bigint, jsonb, text[])',
                    'orders.create_customer(jsonb, bigint)',
                    'orders.update_customer(bigint, jsonb, bigint)',
                    'orders.link_customer_user(bigint, bigint, bigint)',
                    'orders.get_customer(bigint, bigint)',
                    'orders.list_customers(text, text, text, bigint, integer, bigint)',
                    'orders.my_tenant_user()',
                    'orders.create_my_customer(jsonb)',
                    'orders.my_customer()',
                    'orders.update_my_customer(jsonb)']) AS f;

ROLLBACK;
