-- Verify mercato:functions/payments/idempotency on pg

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f::regprocedure, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.idempotency_scope(bigint)', 'payments.idempotency_fingerprint(text, jsonb)',
                    'payments.idempotency_begin(text, text, jsonb, bigint)',
                    'payments.idempotency_finish(text, text, jsonb, bigint)',
                    'payments.purge_idempotency_keys(integer)']) AS f;

ROLLBACK;
