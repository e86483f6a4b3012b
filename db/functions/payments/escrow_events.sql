-- Deploy mercato:functions/payments/escrow_events to pg
-- Goods escrow and installments tell their merchant (docs/payments.md, "Merchant events of escrow and installments"):
-- AFTER triggers, one function per table, call payments.emit_merchant_event in the writer's transaction (numbered per
-- object, signed and sent to the merchant's endpoints through the outbox, listed for replay), with the object as JSON
-- and its previous status, in the style of the payment intents' events (functions/payments/intent_events):
--   goods_escrow.held (money added while HELD: each payment held), goods_escrow.disputed | released | resolved | refunded;
--   installment_plan.created | completed | cancelled; installment.late | paid | cancelled.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.escrow_event_emit_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.emit_merchant_event(s.organization_id, 'goods_escrow', NEW.id,
                                         'goods_escrow.' || CASE WHEN NEW.status = OLD.status THEN 'held'
                                                                 ELSE lower(NEW.status) END,
                                         jsonb_build_object('goods_escrow', payments.escrow_doc(NEW.id),
                                                            'previous_status', OLD.status,
                                                            'amount_added', (NEW.amount_held - OLD.amount_held)::text))
       FROM payments.shop s WHERE s.id = NEW.shop_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.escrow_event_emit_trg() IS
'Trigger (AFTER UPDATE of payments.goods_escrow when its status changes or money is added): the merchant event
goods_escrow.<new status in lower case> (disputed, released, resolved, refunded), or goods_escrow.held when a payment
was added while HELD (amount_added), with the escrow and its previous status, through payments.emit_merchant_event in
the same transaction.';

CREATE TRIGGER goods_escrow_event_emit AFTER UPDATE ON payments.goods_escrow
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.amount_held > OLD.amount_held)
    EXECUTE FUNCTION payments.escrow_event_emit_trg();

CREATE OR REPLACE FUNCTION payments.installment_plan_event_emit_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.emit_merchant_event(s.organization_id, 'installment_plan', NEW.id,
                                         'installment_plan.' || CASE WHEN TG_OP = 'INSERT' THEN 'created'
                                                                     ELSE lower(NEW.status) END,
                                         jsonb_build_object('installment_plan', payments.plan_doc(NEW.id),
                                                            'previous_status', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END))
       FROM payments.shop s WHERE s.id = NEW.shop_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.installment_plan_event_emit_trg() IS
'Trigger (AFTER INSERT of payments.installment_plan, AFTER UPDATE when its status changes): the merchant event
installment_plan.created, .completed or .cancelled, with the plan (its schedule as it is at the end of the statement)
and its previous status, through payments.emit_merchant_event in the same transaction.';

CREATE TRIGGER installment_plan_event_emit_insert AFTER INSERT ON payments.installment_plan
    FOR EACH ROW EXECUTE FUNCTION payments.installment_plan_event_emit_trg();
CREATE TRIGGER installment_plan_event_emit_update AFTER UPDATE ON payments.installment_plan
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION payments.installment_plan_event_emit_trg();

CREATE OR REPLACE FUNCTION payments.installment_event_emit_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.emit_merchant_event(s.organization_id, 'installment', NEW.id, 'installment.' || lower(NEW.status),
                                         jsonb_build_object('installment', jsonb_build_object(
                                                 'id', NEW.id, 'plan_id', NEW.plan_id, 'seq', NEW.seq,
                                                 'amount', NEW.amount::text, 'due_at', NEW.due_at, 'status', NEW.status,
                                                 'late_fee', NEW.late_fee::text, 'late_at', NEW.late_at,
                                                 'paid_at', NEW.paid_at, 'paid_by', NEW.paid_by,
                                                 'payment_id', NEW.payment_id),
                                             'order_id', p.order_id, 'buyer_user_id', p.buyer_user_id,
                                             'currency', p.currency, 'previous_status', OLD.status))
       FROM payments.installment_plan p JOIN payments.shop s ON s.id = p.shop_id
      WHERE p.id = NEW.plan_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.installment_event_emit_trg() IS
'Trigger (AFTER UPDATE of payments.installment when its status changes): the merchant event installment.late, .paid or
.cancelled, with the installment, its plan''s order, buyer and currency and its previous status, through
payments.emit_merchant_event in the same transaction.';

CREATE TRIGGER installment_event_emit AFTER UPDATE ON payments.installment
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) EXECUTE FUNCTION payments.installment_event_emit_trg();

REVOKE ALL ON FUNCTION payments.escrow_event_emit_trg(), payments.installment_plan_event_emit_trg(),
    payments.installment_event_emit_trg() FROM PUBLIC;

COMMIT;
