-- Verify mercato:functions/delivery/verification on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; the last query
-- divides by zero when an API role may execute one of them (the api wrappers call them as the owner).

BEGIN;

SELECT 'delivery.record_trust_outcome(bigint, text, jsonb)'::regprocedure;
SELECT 'delivery.verify_code(bigint, text, jsonb)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['delivery.record_trust_outcome(bigint, text, jsonb)',
                    'delivery.verify_code(bigint, text, jsonb)']) AS f;

ROLLBACK;
