-- Revert mercato:functions/delivery/sessions from pg

BEGIN;

DROP FUNCTION delivery.session_status(bigint), delivery.cancel_session(bigint), delivery.resend_code(bigint, text),
    delivery.start_session(bigint, text, text);

COMMIT;
