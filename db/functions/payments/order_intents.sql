-- Deploy mercato:functions/payments/order_intents to pg
-- Shop orders paid through payment intents (docs/payments.md, "Shop orders paid by payment intent"), so that one order
-- is paid atomically from several sources (the wallet and M-Pesa). An intent whose metadata names a shop order
-- ({"order_id": 7}) is checked against it when created (the merchant's shop's order, payable, no installment plan, at
-- most what is owed, its buyer as the payer); when it SUCCEEDS the captured amount (no PAYMENT fee at capture) becomes
-- the order's payment with method PAYMENT_INTENT through orders.apply_payment and goes on into the order's goods
-- escrow, in the same transaction: the merchant receives it when the escrow is released, minus the fee then. Such an
-- intent is refunded through its escrow, never by an intent refund.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO orders.payment_method (code, description) VALUES
('PAYMENT_INTENT', 'A payments payment intent (issue 19), split over the wallet and the rails: the money is held in goods '
 'escrow until delivery is confirmed');

CREATE OR REPLACE FUNCTION payments.intent_order(p_merchant_id bigint, p_metadata jsonb, OUT shop payments.shop,
                                                 OUT o orders.sales_order, OUT buyer_user_id bigint)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_order_id bigint := payments.metadata_id(p_metadata, 'order_id');
BEGIN
    SELECT * INTO shop FROM payments.shop s WHERE s.organization_id = p_merchant_id;
    SELECT * INTO o FROM orders.sales_order x WHERE x.id = v_order_id AND x.tenant_id = shop.tenant_id;
    IF shop.id IS NULL OR o.id IS NULL THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s of merchant %s''s shop', v_order_id, p_merchant_id));
    END IF;
    SELECT c.user_id INTO buyer_user_id FROM payments.shop_customer c
     WHERE c.shop_id = shop.id AND c.customer_id = o.customer_id AND c.tenant_id = o.tenant_id;
END
$$;
COMMENT ON FUNCTION payments.intent_order(bigint, jsonb) IS
'Internal: the shop, order and buyer (the payments user who placed it) named by an intent''s metadata order_id, of the
intent''s merchant''s shop (the id read by payments.metadata_id). Errors: PAYMENTS_INVALID_INPUT, ORDERS_UNKNOWN_ORDER.';

CREATE OR REPLACE FUNCTION payments.intent_order_check_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    x record := payments.intent_order(NEW.merchant_id, NEW.metadata);
BEGIN
    IF (x.o).currency <> NEW.currency OR NEW.amount > (x.o).total_price - (x.o).amount_paid
       OR (x.o).status <> 'PENDING' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('order %s is %s and owes %s %s; the intent is for %s %s', (x.o).id, (x.o).status,
                                  (x.o).total_price - (x.o).amount_paid, (x.o).currency, NEW.amount, NEW.currency));
    ELSIF EXISTS (SELECT 1 FROM payments.installment_plan p
                   WHERE p.order_id = (x.o).id AND p.tenant_id = (x.o).tenant_id AND p.status <> 'CANCELLED') THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('order %s is paid through its installment plan', (x.o).id));
    ELSIF NEW.payer_user_id IS NOT NULL AND NEW.payer_user_id IS DISTINCT FROM x.buyer_user_id THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s of merchant %s''s shop', (x.o).id, NEW.merchant_id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.intent_order_check_trg() IS
'Trigger (BEFORE INSERT of a payment intent whose metadata has order_id): the order is of the merchant''s shop, PENDING,
in the intent''s currency, owes at least the intent''s amount and is on no installment plan; a payer creating the
intent is the order''s buyer. Errors: PAYMENTS_INVALID_INPUT, ORDERS_UNKNOWN_ORDER, PAYMENTS_PLAN_STATE.';

CREATE TRIGGER payment_intent_order_check BEFORE INSERT ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.metadata ? 'order_id') EXECUTE FUNCTION payments.intent_order_check_trg();

CREATE OR REPLACE FUNCTION payments.intent_order_lock_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    x record := payments.intent_order(NEW.merchant_id, NEW.metadata);
BEGIN
    -- the order row before the confirmation places any hold on a wallet: the lock order of the buyer's own wallet
    -- payment of the order (orders.apply_payment locks the order, then the wallet), so that they queue, never deadlock
    PERFORM 1 FROM orders.sales_order o WHERE o.id = (x.o).id AND o.tenant_id = (x.o).tenant_id FOR NO KEY UPDATE;
    IF x.buyer_user_id IS DISTINCT FROM NEW.payer_user_id THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s of merchant %s''s shop', (x.o).id, NEW.merchant_id));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_order_lock_trg() IS
'Trigger (AFTER a payment intent naming a shop order becomes PROCESSING, i.e. is confirmed, before its wallet holds):
lock the order row first, as the buyer''s wallet payment of the order does, so that the two queue instead of
deadlocking; a confirming payer who is not the order''s buyer is refused at once (ORDERS_UNKNOWN_ORDER), before any
hold.';

CREATE TRIGGER payment_intent_order_lock AFTER UPDATE OF status ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.status = 'PROCESSING' AND OLD.status <> 'PROCESSING' AND NEW.metadata ? 'order_id')
    EXECUTE FUNCTION payments.intent_order_lock_trg();

CREATE OR REPLACE FUNCTION payments.intent_order_pay_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    x         record := payments.intent_order(NEW.merchant_id, NEW.metadata);
    v_payment orders.payment;
BEGIN
    IF x.buyer_user_id IS DISTINCT FROM NEW.payer_user_id THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s of merchant %s''s shop', (x.o).id, NEW.merchant_id));
    END IF;
    -- the capture credited the merchant's wallet in full (no fee): from there, as the order's payment, into its escrow
    v_payment := orders.apply_payment((x.shop).tenant_id, (x.o).id, 'PAYMENT_INTENT', NEW.amount_captured,
                                      payments.wallet_for('ORG', NEW.merchant_id, NEW.currency),
                                      p_external_reference => format('payments:intent:%s', NEW.id),
                                      p_actor => NEW.payer_user_id);
    PERFORM payments.hold_in_escrow(x.shop, v_payment, x.buyer_user_id);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_order_pay_trg() IS
'Trigger (AFTER a payment intent naming a shop order becomes SUCCEEDED), in the capture''s transaction: the captured
amount becomes the order''s payment (orders.apply_payment, method PAYMENT_INTENT, external reference
payments:intent:<id>) and is held in the order''s goods escrow (payments.hold_in_escrow). A refusal (the order was paid
meanwhile, cancelled) rolls the capture back: no money moves.';

CREATE TRIGGER payment_intent_order_pay AFTER UPDATE OF status ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.status = 'SUCCEEDED' AND OLD.status <> 'SUCCEEDED' AND NEW.metadata ? 'order_id')
    EXECUTE FUNCTION payments.intent_order_pay_trg();

CREATE OR REPLACE FUNCTION payments.intent_order_refund_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT i.metadata ?| ARRAY['order_id', 'installment_id'] FROM payments.payment_intent i WHERE i.id = NEW.intent_id) THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE',
                           format('payment intent %s paid a shop order: refund it through the order''s goods escrow',
                                  NEW.intent_id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.intent_order_refund_trg() IS
'Trigger (BEFORE INSERT of an intent refund): an intent that paid a shop order (metadata order_id) or one of its
installments (metadata installment_id) is refunded through the order''s goods escrow (its money is there, not in the
merchant''s wallet). Error: PAYMENTS_INTENT_STATE.';

CREATE TRIGGER intent_refund_order_check BEFORE INSERT ON payments.intent_refund
    FOR EACH ROW EXECUTE FUNCTION payments.intent_order_refund_trg();

REVOKE ALL ON FUNCTION payments.intent_order(bigint, jsonb), payments.intent_order_check_trg(),
    payments.intent_order_lock_trg(), payments.intent_order_pay_trg(), payments.intent_order_refund_trg() FROM PUBLIC;

COMMIT;
