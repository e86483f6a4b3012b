-- Revert mercato:functions/payments/idempotency from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.purge_idempotency_keys(integer);
DROP FUNCTION payments.idempotency_finish(text, text, jsonb, bigint);
DROP FUNCTION payments.idempotency_begin(text, text, jsonb, bigint);
DROP FUNCTION payments.idempotency_fingerprint(text, jsonb);
DROP FUNCTION payments.idempotency_scope(bigint);

COMMIT;
