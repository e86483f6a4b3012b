-- Verify mercato:schemas/orders/rls on pg

BEGIN;

SELECT 'orders.my_access()'::regprocedure;
SELECT 1 / pg_catalog.has_function_privilege('mercato_user', 'orders.my_access()', 'EXECUTE')::int;
SELECT 1 / (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = t::regclass)::int
  FROM unnest(ARRAY['orders.customer', 'orders.tax_rate', 'orders.sales_order', 'orders.line', 'orders.payment',
                    'orders.refund_line']) AS t;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.t::regclass AND p.polname = x.n)::int
  FROM (VALUES ('orders.customer', 'customer_tenant'), ('orders.customer', 'customer_service'),
               ('orders.tax_rate', 'tax_rate_tenant'), ('orders.tax_rate', 'tax_rate_service'),
               ('orders.sales_order', 'sales_order_tenant'), ('orders.sales_order', 'sales_order_service'),
               ('orders.line', 'line_tenant'), ('orders.line', 'line_service'),
               ('orders.payment', 'payment_tenant'), ('orders.payment', 'payment_service'),
               ('orders.refund_line', 'refund_line_tenant'), ('orders.refund_line', 'refund_line_service')) AS x(t, n);
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.customer', 'orders.tax_rate', 'orders.sales_order', 'orders.line', 'orders.payment',
                    'orders.refund_line']) AS t;

ROLLBACK;
