-- Deploy mercato:functions/payments/invoice_intents to pg
-- Invoices paid through payment intents (docs/payments.md, "Invoices paid by intent or QR"): an intent whose metadata
-- names an invoice ({"invoice_id": 7}) is checked against it when created (the merchant's own, open, in its currency,
-- at most what is due), and the capture that makes it SUCCEEDED applies the captured amount to the invoice in the same
-- transaction (payments.apply_invoice_payment, linked to the intent). A QR code bound to such an intent is how a payer
-- pays an invoice by scanning it.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- NOT VALID: rows written before this change carry no intent (only intents write the column, from here on). No index:
-- intents are never deleted, and invoice payments are read per invoice.
ALTER TABLE payments.invoice_payment
    ADD CONSTRAINT invoice_payment_intent_id_fkey FOREIGN KEY (intent_id) REFERENCES payments.payment_intent (id) NOT VALID;

CREATE OR REPLACE FUNCTION payments.intent_invoice_check_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint := payments.metadata_id(NEW.metadata, 'invoice_id');
    v    payments.invoice;
BEGIN
    SELECT * INTO v FROM payments.invoice WHERE id = v_id;
    IF NOT FOUND OR v.organization_id <> NEW.merchant_id THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_INVOICE', format('invoice %s of merchant %s', v_id, NEW.merchant_id));
    ELSIF v.status NOT IN ('OPEN', 'UNCOLLECTIBLE') OR v.currency <> NEW.currency OR NEW.amount > v.amount_due THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('invoice %s is %s with %s %s due; the intent is for %s %s', v.id, v.status,
                                  v.amount_due, v.currency, NEW.amount, NEW.currency));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.intent_invoice_check_trg() IS
'Trigger (BEFORE INSERT of a payment intent whose metadata has invoice_id): the invoice is the intent''s merchant''s,
OPEN or UNCOLLECTIBLE, in the intent''s currency, and the intent is for at most its amount due. Errors:
PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_INVOICE.';

CREATE TRIGGER payment_intent_invoice_check BEFORE INSERT ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.metadata ? 'invoice_id') EXECUTE FUNCTION payments.intent_invoice_check_trg();

CREATE OR REPLACE FUNCTION payments.intent_invoice_apply_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.apply_invoice_payment(payments.metadata_id(NEW.metadata, 'invoice_id'), NEW.amount_captured,
                                           format('payments:intent:%s:invoice', NEW.id), NEW.id);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_invoice_apply_trg() IS
'Trigger (AFTER a payment intent naming an invoice becomes SUCCEEDED), in the capture''s transaction: the captured
amount is applied to the invoice under the reference payments:intent:<id>:invoice, linked to the intent (idempotent;
never above the amount due: a refusal rolls the capture back, so no money moves for an invoice already paid).';

CREATE TRIGGER payment_intent_invoice_apply AFTER UPDATE OF status ON payments.payment_intent
    FOR EACH ROW WHEN (NEW.status = 'SUCCEEDED' AND OLD.status <> 'SUCCEEDED' AND NEW.metadata ? 'invoice_id')
    EXECUTE FUNCTION payments.intent_invoice_apply_trg();

REVOKE ALL ON FUNCTION payments.intent_invoice_check_trg(), payments.intent_invoice_apply_trg() FROM PUBLIC;

COMMIT;
