-- Verify mercato:functions/delivery on pg

BEGIN;

SELECT 'delivery.start_session(bigint, text, text)'::regprocedure, 'delivery.verify_code(bigint, text, jsonb)'::regprocedure,
       'delivery.resend_code(bigint, text)'::regprocedure, 'delivery.record_trust_outcome(bigint, text, jsonb)'::regprocedure;

ROLLBACK;
