-- Deploy mercato:functions/payments/intent_events to pg
-- Payment intents tell their merchant (docs/payments.md, "Merchant events of payment intents"): every state change
-- (payments.intent_event) and every refund (payments.intent_refund) is a merchant event through
-- payments.emit_merchant_event in the same transaction — numbered per intent, signed and sent to the merchant's
-- endpoints through the outbox, listed for replay.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.intent_event_emit_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.emit_merchant_event(i.merchant_id, 'payment_intent', NEW.intent_id,
                                         'payment_intent.' || lower(NEW.to_status),
                                         jsonb_build_object('payment_intent', payments.intent_json(NEW.intent_id),
                                                            'previous_status', NEW.from_status))
       FROM payments.payment_intent i WHERE i.id = NEW.intent_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_event_emit_trg() IS
'Trigger (AFTER INSERT on payments.intent_event): the merchant event payment_intent.<new status in lower case>, with
the intent and its previous status, through payments.emit_merchant_event in the same transaction.';

CREATE TRIGGER intent_event_emit AFTER INSERT ON payments.intent_event
    FOR EACH ROW EXECUTE FUNCTION payments.intent_event_emit_trg();

CREATE OR REPLACE FUNCTION payments.intent_refund_emit_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM payments.emit_merchant_event(i.merchant_id, 'payment_intent', NEW.intent_id, 'payment_intent.refunded',
                                         jsonb_build_object('payment_intent', payments.intent_json(NEW.intent_id),
                                                            'refund', jsonb_build_object('id', NEW.id,
                                                                'amount', NEW.amount::text, 'reason', NEW.reason)))
       FROM payments.payment_intent i WHERE i.id = NEW.intent_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_refund_emit_trg() IS
'Trigger (AFTER INSERT on payments.intent_refund): the merchant event payment_intent.refunded, with the intent and the
refund, through payments.emit_merchant_event in the same transaction.';

CREATE TRIGGER intent_refund_emit AFTER INSERT ON payments.intent_refund
    FOR EACH ROW EXECUTE FUNCTION payments.intent_refund_emit_trg();

REVOKE ALL ON FUNCTION payments.intent_event_emit_trg(), payments.intent_refund_emit_trg() FROM PUBLIC;

COMMIT;
