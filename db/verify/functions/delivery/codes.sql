-- Verify mercato:functions/delivery/codes on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; the last query
-- divides by zero when an API role may execute one of them (the api wrappers call them as the owner).

BEGIN;

SELECT 'delivery.new_code()'::regprocedure;
SELECT 'delivery.code_hmac(integer, bigint, text)'::regprocedure;
SELECT 'delivery.issue_code(bigint, text)'::regprocedure;
SELECT 'delivery.expire_codes()'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['delivery.new_code()',
                    'delivery.code_hmac(integer, bigint, text)',
                    'delivery.issue_code(bigint, text)',
                    'delivery.expire_codes()']) AS f;

ROLLBACK;
