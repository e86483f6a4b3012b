-- Tests for functions/payments/idempotency: the same key and request answer the stored response, another request is
-- 422, a key seen in progress is 409, keys are per caller (user, organization, back office), kept 30 days, purged.
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pk') AS j;
GRANT SELECT ON w TO PUBLIC;
SELECT tests.grant_payments_internals();

SELECT tests.as_user('pk-payer');
SELECT is(payments.idempotency_begin('op', 'k-1', '{"a": 1, "b": "x"}'), NULL, 'a new key: the caller runs the operation');
SELECT is(payments.idempotency_finish('op', 'k-1', '{"id": 7}'), '{"id": 7}'::jsonb, 'finish returns the response it stores');
SELECT is(payments.idempotency_begin('op', 'k-1', '{"b": "x", "a": 1}'), '{"id": 7}'::jsonb,
          'the same key and request (keys in any order): the stored response');
SELECT alike(tests.error_of($$SELECT payments.idempotency_begin('op', 'k-1', '{"a": 2, "b": "x"}')$$),
            'PT422 PAYMENTS_IDEMPOTENCY_MISMATCH key k-1 was used on % for another request',
            'the same key with another request: 422');
SELECT throws_like($$SELECT payments.idempotency_begin('other_op', 'k-1', '{"a": 1, "b": "x"}')$$,
                   'PAYMENTS_IDEMPOTENCY_MISMATCH:%', 'the same key on another operation: 422 too');
SELECT is(payments.idempotency_begin('op', NULL, '{}'), NULL, 'no key: nothing is stored');
SELECT throws_like($$SELECT payments.idempotency_begin('op', '', '{}')$$, 'PAYMENTS_INVALID_INPUT:%', 'an empty key is refused');
SELECT tests.as_user('pk-clerk');
SELECT is(payments.idempotency_begin('op', 'k-1', '{"a": 9}'), NULL, 'keys are per caller: another user''s k-1 is new');
SELECT is(payments.idempotency_begin('op', 'k-1', '{"a": 9}', (SELECT (j ->> 'merchant')::bigint FROM w)), NULL,
          'and the merchant''s k-1 is new again');
SELECT tests.as_owner();

-- a key whose operation is still running (its row committed IN_PROGRESS) is a retryable 409
INSERT INTO payments.idempotency_key (scope_type, scope_id, key, operation, fingerprint)
VALUES ('SERVICE', 0, 'k-run', 'op', payments.idempotency_fingerprint('op', '{}'));
SELECT throws_like($$SELECT payments.idempotency_begin('op', 'k-run', '{}')$$, 'PAYMENTS_IDEMPOTENCY_IN_PROGRESS:%',
                   'a key in progress: 409');
SELECT is((SELECT count(*)::int FROM payments.idempotency_key WHERE key = 'k-1' AND status = 'IN_PROGRESS'), 2,
          'the keys begun above are in progress until finished (in their transaction)');

-- retention
SELECT throws_ok($$INSERT INTO payments.idempotency_key (scope_type, scope_id, key, operation, fingerprint, expires_at)
                   VALUES ('SERVICE', 0, 'k-short', 'op', repeat('a', 64), now() + interval '29 days')$$, '23514', NULL,
                 'a key is kept at least 30 days');
INSERT INTO payments.idempotency_key (scope_type, scope_id, key, operation, fingerprint, created_at, expires_at)
VALUES ('SERVICE', 0, 'k-old', 'op', repeat('a', 64), now() - interval '40 days', now() - interval '10 days');
SELECT is(payments.purge_idempotency_keys(), 1, 'the retention purge deletes the expired key');
SELECT is((SELECT count(*)::int FROM payments.idempotency_key WHERE key = 'k-old'), 0, 'and only it');

SELECT * FROM finish();
ROLLBACK;
