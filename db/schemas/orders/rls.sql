-- Deploy mercato:schemas/orders/rls to pg
-- Row-level security on the orders module: a tenant's staff holding orders.manage read all of their tenant's
-- customers, orders, lines, payments and refund lines; any other user of the tenant reads only its own customer row
-- and that customer's orders; the back office (mercato_service) reads all; anyone else nothing. Tax rates are read by
-- the tenant's users. SELECT-only: writes go through the functions of functions/orders/*.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.my_access()
RETURNS TABLE (tenant_id bigint, manages boolean, customer_id bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT a.tenant_id,
           identity.has_permission(a.user_id, 'orders.manage', a.tenant_id),
           (SELECT c.id FROM orders.customer c WHERE c.tenant_id = a.tenant_id AND c.user_id = a.user_id)
      FROM (SELECT identity.my_tenant_id() AS tenant_id, identity.current_user_id() AS user_id) a
     WHERE a.tenant_id IS NOT NULL;
END;
COMMENT ON FUNCTION orders.my_access() IS
'For the row-level security policies of the orders module: the caller''s tenant, whether it holds orders.manage there,
and its own customer id in that tenant (NULL when it has none). No row for a caller without a tenant.';
REVOKE ALL ON FUNCTION orders.my_access() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION orders.my_access() TO mercato_user;

ALTER TABLE orders.customer ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders.tax_rate ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders.sales_order ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders.line ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders.payment ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders.refund_line ENABLE ROW LEVEL SECURITY;

CREATE POLICY customer_tenant ON orders.customer FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM orders.my_access() a
                    WHERE a.tenant_id = customer.tenant_id AND (a.manages OR a.customer_id = customer.id)));
CREATE POLICY tax_rate_tenant ON orders.tax_rate FOR SELECT TO mercato_user
    USING (tax_rate.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY sales_order_tenant ON orders.sales_order FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM orders.my_access() a
                    WHERE a.tenant_id = sales_order.tenant_id AND (a.manages OR a.customer_id = sales_order.customer_id)));
CREATE POLICY line_tenant ON orders.line FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM orders.sales_order o WHERE o.id = line.order_id AND o.tenant_id = line.tenant_id));
CREATE POLICY payment_tenant ON orders.payment FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM orders.sales_order o WHERE o.id = payment.order_id AND o.tenant_id = payment.tenant_id));
CREATE POLICY refund_line_tenant ON orders.refund_line FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM orders.line l WHERE l.id = refund_line.line_id AND l.tenant_id = refund_line.tenant_id));

CREATE POLICY customer_service ON orders.customer FOR SELECT TO mercato_service USING (true);
CREATE POLICY tax_rate_service ON orders.tax_rate FOR SELECT TO mercato_service USING (true);
CREATE POLICY sales_order_service ON orders.sales_order FOR SELECT TO mercato_service USING (true);
CREATE POLICY line_service ON orders.line FOR SELECT TO mercato_service USING (true);
CREATE POLICY payment_service ON orders.payment FOR SELECT TO mercato_service USING (true);
CREATE POLICY refund_line_service ON orders.refund_line FOR SELECT TO mercato_service USING (true);

GRANT SELECT ON orders.customer, orders.tax_rate, orders.sales_order, orders.line, orders.payment, orders.refund_line
    TO mercato_user, mercato_service;

COMMIT;
