-- Deploy mercato:functions/orders/open_lines to pg
-- What other modules may read of orders for fulfilment: the lines of a set of orders with what remains to fulfil
-- (the store's fulfilment batches build their pick lists and shipments from it).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.open_lines_for(p_tenant_id bigint, p_order_ids bigint[])
RETURNS TABLE (order_id bigint, order_number bigint, status text, fulfillment_status text, line_id bigint,
               variant_id bigint, sku text, title text, quantity integer, fulfilled_quantity integer,
               unfulfilled integer)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT o.id, o.number, o.status, o.fulfillment_status, l.id, l.variant_id, l.sku, l.title, l.quantity,
           l.fulfilled_quantity, l.quantity - l.fulfilled_quantity
      FROM orders.sales_order o
      JOIN orders.line l ON l.order_id = o.id AND l.tenant_id = o.tenant_id
     WHERE o.tenant_id = p_tenant_id AND o.id = ANY (p_order_ids)
     ORDER BY o.id, l.line_no;
END;
COMMENT ON FUNCTION orders.open_lines_for(bigint, bigint[]) IS
'The lines of the tenant''s given orders with each order''s status and fulfilment status, the line''s variant, SKU and
title (the order''s snapshot), quantity, what is fulfilled and what remains (unfulfilled), in order and line order. For
other modules (the store''s fulfilment batches). Internal: granted to no API role.';
REVOKE ALL ON FUNCTION orders.open_lines_for(bigint, bigint[]) FROM PUBLIC;

COMMIT;
