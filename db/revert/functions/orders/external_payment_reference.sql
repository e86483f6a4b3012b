-- Revert mercato:functions/orders/external_payment_reference from pg
-- orders.record_external_payment_for as functions/orders/payments_external made it (the reference judged after the order).

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

REVOKE ALL ON FUNCTION orders.record_external_payment_for(bigint, bigint, numeric, text) FROM PUBLIC;

COMMIT;
