-- Revert mercato:functions/delivery from pg

BEGIN;

DROP FUNCTION delivery.expire_codes(), delivery.session_status(bigint), delivery.verify_code(bigint, text, jsonb),
    delivery.cancel_session(bigint), delivery.resend_code(bigint, text), delivery.start_session(bigint, text, text),
    delivery.record_trust_outcome(bigint, text, jsonb), delivery.issue_code(bigint, text),
    delivery.code_hmac(integer, bigint, text), delivery.new_code();
DELETE FROM core.error WHERE module = 'delivery';

COMMIT;
