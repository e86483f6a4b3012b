-- Deploy mercato:functions/orders/payments_external to pg
-- An external payment: money the shop collected on the order's channel (TCGplayer, eBay, a card terminal at the POS…),
-- recorded against that channel: the tenant's clearing account of the order's source (orders.channel_account) is
-- debited and its sales account credited, through orders.apply_payment (functions/orders/money), which locks the order,
-- refuses what the order does not owe or a reference already recorded, and moves the financial status. READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.record_external_payment_for(p_tenant_id bigint, p_order_id bigint, p_amount numeric,
                                                              p_reference text)
RETURNS orders.payment
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_source text;
BEGIN
    IF p_reference IS NULL OR p_reference !~ '^[^[:space:]](.{0,126}[^[:space:]])?$' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'reference: the channel''s payment reference, 1 to 128 characters');
    ELSIF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e15 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'amount: a positive amount below 10^15');
    END IF;
    SELECT o.source INTO v_source FROM orders.sales_order o WHERE o.id = p_order_id AND o.tenant_id = p_tenant_id;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    END IF;
    RETURN orders.apply_payment(p_tenant_id, p_order_id, 'EXTERNAL', p_amount,
                                orders.channel_account(p_tenant_id, v_source), NULL, p_reference,
                                identity.current_user_id());
END
$$;
COMMENT ON FUNCTION orders.record_external_payment_for(bigint, bigint, numeric, text) IS
'Record a payment collected on the order''s channel, for a caller already decided (import_order, the staff entry point):
debit the tenant''s clearing account of the order''s source, credit its sales account, through orders.apply_payment.
Internal. Lock order: the order row (apply_payment), then the ledger''s accounts. Errors: ORDERS_INVALID_INPUT,
ORDERS_UNKNOWN_ORDER, ORDERS_NOT_PAYABLE, ORDERS_PAYMENT_EXCEEDS, ORDERS_PAYMENT_TAKEN. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.record_external_payment(p_order_id bigint, p_amount numeric, p_reference text,
                                                          p_tenant_id bigint DEFAULT NULL)
RETURNS orders.payment
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.record_external_payment_for(orders.manage_tenant(p_tenant_id), p_order_id, p_amount, p_reference);
COMMENT ON FUNCTION orders.record_external_payment(bigint, numeric, text, bigint) IS
'Record an external payment of an order (collected on its channel: TCGplayer, eBay, the POS terminal…) with the
channel''s reference (unique per tenant: recording it twice is refused): the channel''s clearing account is debited, the
shop''s sales account credited; amount_paid and the financial status follow (PARTIALLY_PAID, PAID; a PENDING order
becomes PROCESSING once paid in full). Returns the payment. Needs orders.manage in the tenant (the back office names
it). Errors: ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_ORDER, ORDERS_NOT_PAYABLE, ORDERS_PAYMENT_EXCEEDS,
ORDERS_PAYMENT_TAKEN, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION orders.record_external_payment_for(bigint, bigint, numeric, text),
    orders.record_external_payment(bigint, numeric, text, bigint) FROM PUBLIC;

COMMIT;
