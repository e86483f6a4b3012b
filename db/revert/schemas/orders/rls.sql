-- Revert mercato:schemas/orders/rls from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

REVOKE SELECT ON orders.customer, orders.tax_rate, orders.sales_order, orders.line, orders.payment, orders.refund_line
    FROM mercato_user, mercato_service;
DROP POLICY customer_tenant ON orders.customer;
DROP POLICY tax_rate_tenant ON orders.tax_rate;
DROP POLICY sales_order_tenant ON orders.sales_order;
DROP POLICY line_tenant ON orders.line;
DROP POLICY payment_tenant ON orders.payment;
DROP POLICY refund_line_tenant ON orders.refund_line;
DROP POLICY customer_service ON orders.customer;
DROP POLICY tax_rate_service ON orders.tax_rate;
DROP POLICY sales_order_service ON orders.sales_order;
DROP POLICY line_service ON orders.line;
DROP POLICY payment_service ON orders.payment;
DROP POLICY refund_line_service ON orders.refund_line;
ALTER TABLE orders.customer DISABLE ROW LEVEL SECURITY;
ALTER TABLE orders.tax_rate DISABLE ROW LEVEL SECURITY;
ALTER TABLE orders.sales_order DISABLE ROW LEVEL SECURITY;
ALTER TABLE orders.line DISABLE ROW LEVEL SECURITY;
ALTER TABLE orders.payment DISABLE ROW LEVEL SECURITY;
ALTER TABLE orders.refund_line DISABLE ROW LEVEL SECURITY;
DROP FUNCTION orders.my_access();

COMMIT;
