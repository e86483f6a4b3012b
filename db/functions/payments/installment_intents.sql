-- Deploy mercato:functions/payments/installment_intents to pg
-- Installments paid through payment intents (docs/payments.md, "Installments paid by payment intent"), the issue's
-- "payments by wallet (auto-debit by a job on the due date) or intent". An intent whose metadata names an installment
-- ({"installment_id": 7}) is checked when created: the installment of an ACTIVE plan of the intent's merchant's shop,
-- still open (DUE or LATE: a paid installment takes no second intent), the intent in the plan's currency for exactly
-- what is outstanding (the installment plus its late fee if LATE), its payer the plan's buyer. When the intent
-- SUCCEEDS (the capture credited the merchant's wallet; the intents module takes no PAYMENT fee at capture for such an
-- intent, the escrow's release takes it), the installment is settled in the same transaction as a wallet payment
-- settles it: the installment's amount becomes the order's PAYMENT_INTENT payment (orders.apply_payment) held in the
-- order's goods escrow (lay-away), the late fee goes to the platform's revenue, PAID (by INTENT), the plan's
-- amount_paid (COMPLETED at the total). Anything refused then (paid meanwhile, the plan cancelled, another amount) rolls
-- the capture back: no money moves. Such an intent is refunded through the escrow (functions/payments/order_intents
-- refuses a direct intent refund).
--
-- Lock order: the confirmation takes the order row, the plan row and the installment row (payments.lock_open_installment,
-- trigger payment_intent_installment_lock) before its wallet holds, as the buyer's wallet payment and the auto-debit
-- do, then the ledger's accounts, the escrow row. A capture completed in a later transaction (an external share funded
-- by webhook) takes the ledger's accounts before the order row, as an order paid by intent does.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.intent_installment_check_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint := payments.metadata_id(NEW.metadata, 'installment_id');
    i    payments.installment;
    p    payments.installment_plan;
BEGIN
    IF NEW.metadata ?| ARRAY['order_id', 'invoice_id'] THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'an intent pays one object: installment_id, order_id or invoice_id');
    END IF;
    SELECT * INTO i FROM payments.installment x WHERE x.id = v_id;
    SELECT * INTO p FROM payments.installment_plan x WHERE x.id = i.plan_id;
    IF p.id IS NULL OR NOT EXISTS (SELECT 1 FROM payments.shop s WHERE s.id = p.shop_id AND s.organization_id = NEW.merchant_id)
       OR (NEW.payer_user_id IS NOT NULL AND NEW.payer_user_id IS DISTINCT FROM p.buyer_user_id) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_PLAN', format('installment %s of merchant %s', v_id, NEW.merchant_id));
    ELSIF p.status <> 'ACTIVE' OR NOT i.open THEN
        PERFORM core.raise('PAYMENTS_PLAN_STATE', format('installment %s is %s (plan %s): nothing to pay', i.id, i.status,
                                                         p.status));
    ELSIF NEW.currency <> p.currency OR NEW.amount <> i.amount + i.late_fee THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('installment %s is %s and owes %s %s; the intent is for %s %s', i.id, i.status,
                                  i.amount + i.late_fee, p.currency, NEW.amount, NEW.currency));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.intent_installment_check_trg() IS
'Trigger (BEFORE INSERT of a payment intent whose metadata has installment_id): the installment is of an ACTIVE plan of
the intent''s merchant''s shop, open (DUE or LATE), and the intent is in the plan''s currency for exactly what it owes
(its amount plus its late fee); a payer creating the intent is the plan''s buyer; the intent names no order or invoice
too. Errors: PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_PLAN (also somebody else''s), PAYMENTS_PLAN_STATE (paid,
cancelled: a second intent for a paid installment is refused).';

CREATE TRIGGER payment_intent_installment_check BEFORE INSERT ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.metadata ? 'installment_id') EXECUTE FUNCTION payments.intent_installment_check_trg();

CREATE OR REPLACE FUNCTION payments.intent_installment_lock_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the order, plan and installment rows before the confirmation places any hold on a wallet: the lock order of
    -- every other installment payment (the buyer's, the job's), so that they queue rather than deadlock
    x record := payments.lock_open_installment(payments.metadata_id(NEW.metadata, 'installment_id'));
BEGIN
    IF (x.plan).buyer_user_id IS DISTINCT FROM NEW.payer_user_id THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_PLAN', format('installment %s of merchant %s', (x.inst).id, NEW.merchant_id));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_installment_lock_trg() IS
'Trigger (AFTER a payment intent naming an installment becomes PROCESSING, i.e. is confirmed, before its wallet holds):
lock the order, the plan and the installment (payments.lock_open_installment), the order every installment payment
takes them in, so a confirmation racing with a wallet payment or the auto-debit queues instead of deadlocking; an
installment paid or cancelled meanwhile refuses the confirmation at once (PAYMENTS_PLAN_STATE), before any hold, and so
does a confirming payer who is not the plan''s buyer (PAYMENTS_UNKNOWN_PLAN: an intent the merchant made without a
payer).';

CREATE TRIGGER payment_intent_installment_lock AFTER UPDATE OF status ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.status = 'PROCESSING' AND NEW.metadata ? 'installment_id')
    EXECUTE FUNCTION payments.intent_installment_lock_trg();

CREATE OR REPLACE FUNCTION payments.intent_installment_pay_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    x         record := payments.lock_open_installment(payments.metadata_id(NEW.metadata, 'installment_id'));
    v_shop    payments.shop;
    v_wallet  bigint := payments.wallet_for('ORG', NEW.merchant_id, NEW.currency);
    v_payment orders.payment;
    e         payments.goods_escrow;
BEGIN
    SELECT * INTO v_shop FROM payments.shop s WHERE s.id = (x.plan).shop_id;
    IF v_shop.organization_id IS DISTINCT FROM NEW.merchant_id OR (x.plan).buyer_user_id IS DISTINCT FROM NEW.payer_user_id THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_PLAN', format('installment %s of merchant %s', (x.inst).id, NEW.merchant_id));
    ELSIF NEW.currency <> (x.plan).currency OR NEW.amount_captured <> (x.inst).amount + (x.inst).late_fee THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('installment %s is %s and owes %s %s; the intent captured %s %s', (x.inst).id,
                                  (x.inst).status, (x.inst).amount + (x.inst).late_fee, (x.plan).currency,
                                  NEW.amount_captured, NEW.currency));
    END IF;
    -- the capture credited the merchant's wallet: from there the installment, as the order's payment, into its escrow
    v_payment := orders.apply_payment(v_shop.tenant_id, (x.plan).order_id, 'PAYMENT_INTENT', (x.inst).amount, v_wallet,
                                      p_external_reference => format('payments:intent:%s', NEW.id),
                                      p_actor => NEW.payer_user_id);
    e := payments.hold_in_escrow(v_shop, v_payment, (x.plan).buyer_user_id);
    -- and its late fee from there to the platform's revenue
    PERFORM payments.finish_installment(x.plan, x.inst,
        jsonb_build_object('payment_id', v_payment.id, 'order_id', v_payment.order_id, 'amount', v_payment.amount::text,
                           'currency', v_payment.currency, 'escrow_id', e.id),
        'INTENT', v_wallet);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_installment_pay_trg() IS
'Trigger (AFTER a payment intent naming an installment becomes SUCCEEDED), in the capture''s transaction, under the
locks of payments.lock_open_installment: the captured amount must be exactly what the installment owes; its amount
becomes the order''s payment (orders.apply_payment, method PAYMENT_INTENT, from the merchant''s wallet the capture
credited, external reference payments:intent:<id>) held in the order''s goods escrow (payments.hold_in_escrow), its late
fee goes to the platform''s revenue, and payments.finish_installment marks it PAID by INTENT and moves the plan. A
refusal (paid or cancelled meanwhile, gone LATE since the intent was made) rolls the capture back: no money moves.
Errors: PAYMENTS_PLAN_STATE, PAYMENTS_UNKNOWN_PLAN, PAYMENTS_INVALID_INPUT, the orders'' and the ledger''s.';

CREATE TRIGGER payment_intent_installment_pay AFTER UPDATE OF status ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.status = 'SUCCEEDED' AND OLD.status <> 'SUCCEEDED' AND NEW.metadata ? 'installment_id')
    EXECUTE FUNCTION payments.intent_installment_pay_trg();

REVOKE ALL ON FUNCTION payments.intent_installment_check_trg(), payments.intent_installment_lock_trg(),
    payments.intent_installment_pay_trg() FROM PUBLIC;

COMMIT;
