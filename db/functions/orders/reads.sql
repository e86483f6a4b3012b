-- Deploy mercato:functions/orders/reads to pg
-- Reading orders: one order with its lines and payments, and a tenant's orders page by page (keyset on the number,
-- newest first, on the unique index (tenant_id, number)), filtered by status, source and customer. Staff with
-- orders.manage read every order of their tenant (a platform user holding it or the back office names the tenant); any
-- other user of a tenant reads only its own customer record's orders, as row-level security lets it. READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.get_order(p_order_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    SELECT * INTO c FROM orders.caller(p_tenant_id);
    IF NOT EXISTS (SELECT 1 FROM orders.sales_order o
                    WHERE o.id = p_order_id AND o.tenant_id = c.tenant_id
                      AND (c.staff OR (c.customer_id IS NOT NULL AND o.customer_id = c.customer_id))) THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    END IF;
    RETURN orders.order_doc(p_order_id);
END
$$;
COMMENT ON FUNCTION orders.get_order(bigint, bigint) IS
'An order as JSON with its lines and payments (amounts as strings). Staff with orders.manage read any order of their
tenant (the back office names it); a customer-user only its own. Errors: ORDERS_UNKNOWN_ORDER (also for an order the
caller may not see), IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.list_orders(p_status text DEFAULT NULL, p_source text DEFAULT NULL,
                                              p_customer_id bigint DEFAULT NULL, p_before_number bigint DEFAULT NULL,
                                              p_limit integer DEFAULT 50, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (id bigint, number bigint, source text, external_id text, customer_id bigint, status text,
               financial_status text, fulfillment_status text, currency char(3), total_price numeric,
               amount_paid numeric, created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'limit: 1 to 500');
    END IF;
    SELECT * INTO c FROM orders.caller(p_tenant_id);
    IF NOT c.staff AND (c.customer_id IS NULL OR p_customer_id IS DISTINCT FROM NULL AND p_customer_id <> c.customer_id) THEN
        RETURN;   -- a customer-user sees its own orders only; none without a customer record
    END IF;
    RETURN QUERY
    SELECT o.id, o.number, o.source, o.external_id, o.customer_id, o.status, o.financial_status, o.fulfillment_status,
           o.currency, o.total_price, o.amount_paid, o.created_at
      FROM orders.sales_order o
     WHERE o.tenant_id = c.tenant_id
       AND (p_before_number IS NULL OR o.number < p_before_number)
       AND (p_status IS NULL OR o.status = upper(p_status))
       AND (p_source IS NULL OR o.source = upper(p_source))
       AND (CASE WHEN c.staff THEN p_customer_id IS NULL OR o.customer_id = p_customer_id
                 ELSE o.customer_id = c.customer_id END)
     ORDER BY o.number DESC
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION orders.list_orders(text, text, bigint, bigint, integer, bigint) IS
'A tenant''s orders, newest first (by number), at most p_limit (1 to 500) a page: the next page passes the last number
seen as p_before_number (keyset, on the unique index (tenant_id, number)). Filters: status, source, customer. Staff
with orders.manage see every order of their tenant (the back office names it); a customer-user its own only.
Errors: ORDERS_INVALID_INPUT, IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION orders.get_order(bigint, bigint),
    orders.list_orders(text, text, bigint, bigint, integer, bigint) FROM PUBLIC;

COMMIT;
