-- Verify mercato:functions/delivery/sessions on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; the last query
-- divides by zero when an API role may execute one of them (the api wrappers call them as the owner).

BEGIN;

SELECT 'delivery.start_session(bigint, text, text)'::regprocedure;
SELECT 'delivery.resend_code(bigint, text)'::regprocedure;
SELECT 'delivery.cancel_session(bigint)'::regprocedure;
SELECT 'delivery.session_status(bigint)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['delivery.start_session(bigint, text, text)',
                    'delivery.resend_code(bigint, text)',
                    'delivery.cancel_session(bigint)',
                    'delivery.session_status(bigint)']) AS f;

ROLLBACK;
