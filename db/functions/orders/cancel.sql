-- Deploy mercato:functions/orders/cancel to pg
-- Cancelling an order, in one transaction: the live reservations of every line are released
-- (inventory.release_reference_for, line by line), every payment not yet refunded goes back where it came from
-- (orders.apply_refund with no credit account: the account the payment debited), and the order becomes CANCELLED with
-- its reason and time; its financial status becomes VOIDED if nothing was ever paid (else apply_refund made it
-- REFUNDED). Not once anything of it is fulfilled (a return is a refund, functions/orders/refunds), nor when it is
-- already FULFILLED, CANCELLED or REFUNDED: ORDERS_NOT_CANCELLABLE says which. Staff with orders.manage cancel any order
-- of their tenant; a customer-user only its own PENDING order with nothing paid.
-- Lock order: the order row first (FOR UPDATE), then the live reservations of its lines (ascending id), then the stock
-- rows (inventory), then the ledger's accounts (apply_refund). READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.cancel_order(p_order_id bigint, p_reason text, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c orders.sales_order;
    k record;
    l record;
    p record;
BEGIN
    SELECT * INTO k FROM orders.caller(p_tenant_id);
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'reason: 1 to 500 characters');
    END IF;
    SELECT * INTO c FROM orders.sales_order o
     WHERE o.id = p_order_id AND o.tenant_id = k.tenant_id
       AND (k.staff OR (k.customer_id IS NOT NULL AND o.customer_id = k.customer_id))
       FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    ELSIF c.status NOT IN ('PENDING', 'PROCESSING') THEN
        PERFORM core.raise('ORDERS_NOT_CANCELLABLE', format('order %s is %s', c.number, c.status));
    ELSIF c.fulfillment_status <> 'UNFULFILLED' OR EXISTS (
            SELECT 1 FROM orders.line x WHERE x.order_id = c.id AND x.tenant_id = c.tenant_id AND x.fulfilled_quantity > 0) THEN
        PERFORM core.raise('ORDERS_NOT_CANCELLABLE',
                           format('order %s: part of it is fulfilled (refund what comes back instead)', c.number));
    ELSIF NOT k.staff AND (c.status <> 'PENDING' OR c.amount_paid > 0) THEN
        PERFORM core.raise('ORDERS_NOT_CANCELLABLE',
                           format('order %s: a customer cancels its own PENDING order with nothing paid; ask the shop',
                                  c.number));
    END IF;

    -- stock: lock the live reservations of every line in ascending id, then release them line by line
    PERFORM 1 FROM inventory.reservation r
     WHERE r.tenant_id = c.tenant_id AND r.ref_module = 'orders' AND r.ref_entity = 'line' AND r.state = 'ACTIVE'
       AND r.ref_id IN (SELECT x.id::text FROM orders.line x WHERE x.order_id = c.id AND x.tenant_id = c.tenant_id)
     ORDER BY r.id FOR UPDATE;
    FOR l IN SELECT x.id FROM orders.line x WHERE x.order_id = c.id AND x.tenant_id = c.tenant_id ORDER BY x.id LOOP
        PERFORM inventory.release_reference_for(c.tenant_id, 'orders', 'line', l.id::text);
    END LOOP;

    -- money: every payment's unrefunded rest back to where it came from
    FOR p IN SELECT x.id, x.amount - coalesce((SELECT sum(y.amount) FROM orders.payment y
                                                WHERE y.refund_of = x.id AND y.tenant_id = x.tenant_id), 0) AS rest
               FROM orders.payment x
              WHERE x.order_id = c.id AND x.tenant_id = c.tenant_id AND x.kind = 'PAYMENT'
              ORDER BY x.id LOOP
        IF p.rest > 0 THEN
            PERFORM orders.apply_refund(c.tenant_id, p.id, p.rest, left('order cancelled: ' || btrim(p_reason), 500),
                                        NULL, '[]', NULL, k.user_id);
        END IF;
    END LOOP;

    UPDATE orders.sales_order o
       SET status = 'CANCELLED', cancelled_at = now(), cancel_reason = btrim(p_reason),
           financial_status = CASE WHEN o.amount_paid = 0 THEN 'VOIDED' ELSE o.financial_status END
     WHERE o.id = c.id;
    RETURN orders.order_doc(c.id);
END
$$;
COMMENT ON FUNCTION orders.cancel_order(bigint, text, bigint) IS
'Cancel an order with a reason, in one transaction: release the live reservations of every line, refund every payment''s
unrefunded rest to where it came from (the ledger), set status CANCELLED with the reason and time, and the financial
status VOIDED when nothing was ever paid. Refused once anything of it is fulfilled, or when it is FULFILLED, CANCELLED
or REFUNDED (ORDERS_NOT_CANCELLABLE). Staff with orders.manage cancel any order of their tenant (the back office names
it); a customer-user its own PENDING order with nothing paid. Returns the order as JSON. Lock order: the order row,
then reservations (ascending id), stock rows, ledger accounts. Errors: ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_ORDER,
ORDERS_NOT_CANCELLABLE, IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION orders.cancel_order(bigint, text, bigint) FROM PUBLIC;

COMMIT;
