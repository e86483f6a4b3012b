-- Revert mercato:functions/payments/rail_events from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER withdrawal_emit ON payments.withdrawal;
DROP TRIGGER funding_session_emit ON payments.funding_session;
DROP FUNCTION payments.withdrawal_emit_trg();
DROP FUNCTION payments.funding_session_emit_trg();

COMMIT;
