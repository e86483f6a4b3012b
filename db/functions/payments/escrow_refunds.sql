-- Deploy mercato:functions/payments/escrow_refunds to pg
-- A shop order's money held in goods escrow is refunded through the escrow, never around it (docs/payments.md,
-- "Cancelling or refunding an order held in escrow"). The money of a WALLET or PAYMENT_INTENT payment of a shop order
-- leaves the shop's sales account for the order's escrow in the same transaction (payments.hold_in_escrow), so a refund
-- through the orders module (orders.cancel_order, api.refund_order: orders.apply_refund from the sales account) while
-- the escrow still holds it would pay the buyer from other orders' money and leave the escrow to be released to the
-- merchant as well: paid twice. A trigger on orders.payment therefore refuses such a refund while the escrow is HELD or
-- DISPUTED (PAYMENTS_ESCROW_HELD: refund the escrow first, api.refund_escrow, then cancel the order), and, once the
-- escrow is settled, any refund beyond what the settlement gave back to the buyer (PAYMENTS_ESCROW_STATE). The escrow's
-- own settlement (payments.settle_escrow) sets the escrow's state and buyer_amount before it refunds, so it passes.
-- The orders module stays unaware of payments: its cancel_order is refused for such an order (by this guard, or by the
-- ledger first when the shop's sales account holds less than the refund), nothing moving either way. The merchant
-- cancels a shop order through payments.cancel_shop_order (api.cancel_shop_order): the escrow refunded to the buyer in
-- full first, once, then the order cancelled, one transaction.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_ESCROW_HELD', 'payments', 'PT409', 'the order''s payment is held in goods escrow',
 'refund the escrow first (api.refund_escrow, the merchant''s admin), then cancel the order',
 'A refund (an order cancellation included) of a shop order whose payment is held in a HELD or DISPUTED goods escrow: '
 'the money is in the escrow, not in the shop''s sales account; it goes back to the buyer through the escrow.');

CREATE OR REPLACE FUNCTION payments.escrow_refund_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e        payments.goods_escrow;
    v_before numeric;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM orders.payment x
                    WHERE x.id = NEW.refund_of AND x.tenant_id = NEW.tenant_id AND x.method IN ('WALLET', 'PAYMENT_INTENT')) THEN
        RETURN NEW;
    END IF;
    SELECT * INTO e FROM payments.goods_escrow g WHERE g.order_id = NEW.order_id AND g.tenant_id = NEW.tenant_id;
    IF NOT FOUND THEN
        RETURN NEW;
    ELSIF e.status IN ('HELD', 'DISPUTED') THEN
        PERFORM core.raise('PAYMENTS_ESCROW_HELD',
                           format('order %s: its payments are held in goods escrow %s (%s); refund the escrow first '
                                  '(api.refund_escrow), then cancel the order', NEW.order_id, e.id, e.status));
    END IF;
    SELECT coalesce(sum(r.amount), 0) INTO v_before
      FROM orders.payment r JOIN orders.payment x ON x.id = r.refund_of AND x.tenant_id = r.tenant_id
     WHERE r.order_id = NEW.order_id AND r.tenant_id = NEW.tenant_id AND r.kind = 'REFUND'
       AND x.method IN ('WALLET', 'PAYMENT_INTENT');
    IF v_before + NEW.amount > e.buyer_amount THEN
        PERFORM core.raise('PAYMENTS_ESCROW_STATE',
                           format('order %s: its goods escrow %s is %s and gave %s back to the buyer; nothing more is '
                                  'refunded from the shop', NEW.order_id, e.id, e.status, e.buyer_amount));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.escrow_refund_guard_trg() IS
'Trigger (BEFORE INSERT of an orders.payment REFUND of a WALLET or PAYMENT_INTENT payment of a shop order with a goods
escrow): refused while the escrow is HELD or DISPUTED (PAYMENTS_ESCROW_HELD: refund the escrow first, then cancel the
order), and once it is settled beyond what the settlement gave back to the buyer (PAYMENTS_ESCROW_STATE). The escrow''s
settlement (payments.settle_escrow) writes its state and buyer_amount first, so its own refunds pass.';

CREATE TRIGGER payment_escrow_refund_guard BEFORE INSERT ON orders.payment
    FOR EACH ROW WHEN (NEW.kind = 'REFUND') EXECUTE FUNCTION payments.escrow_refund_guard_trg();

CREATE OR REPLACE FUNCTION payments.cancel_shop_order(p_order_id bigint, p_reason text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_shop payments.shop;
    o      orders.sales_order;
    e      payments.goods_escrow;
BEGIN
    SELECT * INTO o FROM orders.sales_order x WHERE x.id = p_order_id;
    SELECT * INTO v_shop FROM payments.shop s WHERE s.tenant_id = o.tenant_id;
    IF v_shop.id IS NULL OR NOT (identity.is_service() OR identity.acts_for(v_shop.organization_id, 'ADMIN')) THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    ELSIF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'reason: 1 to 500 characters');
    END IF;
    -- the order row first, as every path (orders.cancel_order takes it again)
    SELECT * INTO o FROM orders.sales_order x WHERE x.id = p_order_id AND x.tenant_id = v_shop.tenant_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM payments.installment_plan p
                WHERE p.order_id = o.id AND p.tenant_id = o.tenant_id AND p.status = 'ACTIVE') THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE',
                           format('order %s is on an ACTIVE installment plan: cancel the plan first', o.id));
    END IF;
    SELECT * INTO e FROM payments.goods_escrow g WHERE g.order_id = o.id AND g.tenant_id = o.tenant_id;
    IF e.id IS NOT NULL THEN
        e := payments.lock_escrow(e.id);
        IF e.status IN ('HELD', 'DISPUTED') THEN
            e := payments.settle_escrow(e, e.amount_held, 'MERCHANT', 'order cancelled: ' || btrim(p_reason),
                                        identity.current_user_id());
        END IF;
    END IF;
    RETURN orders.cancel_order(o.id, btrim(p_reason), o.tenant_id)
           || jsonb_build_object('escrow', CASE WHEN e.id IS NOT NULL THEN payments.escrow_doc(e.id) END);
END
$$;
COMMENT ON FUNCTION payments.cancel_shop_order(bigint, text) IS
'The merchant (its ADMIN or OWNER, holding orders.manage in the shop as open_shop grants its owners; or the back office)
cancels a shop order in one transaction: a HELD or DISPUTED goods escrow is first refunded in full to the buyer
(payments.settle_escrow as REFUNDED, once), then orders.cancel_order releases the stock and cancels the order (its
payments'' refunds are then already done). An order on an ACTIVE installment plan is refused: its plan is cancelled
first. Returns the order with its escrow. Lock order: the order row, the escrow row, the ledger''s accounts, then
orders.cancel_order''s (reservations, stock rows). Errors: ORDERS_UNKNOWN_ORDER, PAYMENTS_INVALID_INPUT,
PAYMENTS_PLAN_STATE, ORDERS_NOT_CANCELLABLE and the orders'' and ledger''s. Assumes READ COMMITTED.';

REVOKE ALL ON FUNCTION payments.escrow_refund_guard_trg(), payments.cancel_shop_order(bigint, text) FROM PUBLIC;

COMMIT;
