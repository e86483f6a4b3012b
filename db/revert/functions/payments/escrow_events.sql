-- Revert mercato:functions/payments/escrow_events from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER installment_event_emit ON payments.installment;
DROP TRIGGER installment_plan_event_emit_update ON payments.installment_plan;
DROP TRIGGER installment_plan_event_emit_insert ON payments.installment_plan;
DROP TRIGGER goods_escrow_event_emit ON payments.goods_escrow;
DROP FUNCTION payments.installment_event_emit_trg();
DROP FUNCTION payments.installment_plan_event_emit_trg();
DROP FUNCTION payments.escrow_event_emit_trg();

COMMIT;
