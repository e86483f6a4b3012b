-- Revert mercato:functions/payments/intent_events from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER intent_refund_emit ON payments.intent_refund;
DROP TRIGGER intent_event_emit ON payments.intent_event;
DROP FUNCTION payments.intent_refund_emit_trg();
DROP FUNCTION payments.intent_event_emit_trg();

COMMIT;
