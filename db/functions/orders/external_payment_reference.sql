-- Deploy mercato:functions/orders/external_payment_reference to pg
-- A channel payment reference sent again is answered ORDERS_PAYMENT_TAKEN, whatever the order has become since (found
-- by the torture run, docs/reliability.md): orders.apply_payment checked whether the order still takes a payment
-- (ORDERS_NOT_PAYABLE, ORDERS_PAYMENT_EXCEEDS) before it looked at the reference, so a client re-sending a payment
-- whose answer was lost — the payment recorded, the order now PAID — was told the order takes no payment, and could
-- not tell that its payment had been recorded. record_external_payment_for now locks the order row (the first lock of
-- every payment, as before: apply_payment takes it again in the same transaction) and looks for the reference first;
-- ORDERS_PAYMENT_TAKEN names the payment and its order, so the client can read it.
-- Lock order unchanged: the order row, then the ledger's accounts. READ COMMITTED: after waiting for the order's lock
-- the reference check sees a concurrent payment that committed; a payment of another order with the same reference
-- still loses on the unique index inside apply_payment (ORDERS_PAYMENT_TAKEN too).

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
    v_taken  orders.payment;
BEGIN
    IF p_reference IS NULL OR p_reference !~ '^[^[:space:]](.{0,126}[^[:space:]])?$' THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'reference: the channel''s payment reference, 1 to 128 characters');
    ELSIF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e15 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'amount: a positive amount below 10^15');
    END IF;
    SELECT o.source INTO v_source FROM orders.sales_order o WHERE o.id = p_order_id AND o.tenant_id = p_tenant_id
       FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    END IF;
    -- the reference first: a payment sent again is answered as taken, not judged against the order's new state
    SELECT * INTO v_taken FROM orders.payment p
     WHERE p.tenant_id = p_tenant_id AND p.method = 'EXTERNAL' AND p.external_reference = p_reference
       AND p.kind = 'PAYMENT';
    IF FOUND THEN
        PERFORM core.raise('ORDERS_PAYMENT_TAKEN', format('EXTERNAL payment %s is payment %s of order %s', p_reference,
                                                          v_taken.id, v_taken.order_id));
    END IF;
    RETURN orders.apply_payment(p_tenant_id, p_order_id, 'EXTERNAL', p_amount,
                                orders.channel_account(p_tenant_id, v_source), NULL, p_reference,
                                identity.current_user_id());
END
$$;
COMMENT ON FUNCTION orders.record_external_payment_for(bigint, bigint, numeric, text) IS
'Record a payment collected on the order''s channel, for a caller already decided (import_order, the staff entry point):
lock the order; a reference already recorded for the tenant is ORDERS_PAYMENT_TAKEN naming the payment and its order,
before anything else is judged (a payment sent again after a lost answer learns it was recorded); then debit the
tenant''s clearing account of the order''s source and credit its sales account, through orders.apply_payment. Internal.
Lock order: the order row, then the ledger''s accounts. Errors: ORDERS_INVALID_INPUT, ORDERS_UNKNOWN_ORDER,
ORDERS_PAYMENT_TAKEN, ORDERS_NOT_PAYABLE, ORDERS_PAYMENT_EXCEEDS. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION orders.record_external_payment_for(bigint, bigint, numeric, text) FROM PUBLIC;

COMMIT;
