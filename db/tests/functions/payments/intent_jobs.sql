-- Tests for functions/payments/intent_jobs: both jobs registered and run through jobs.run.
BEGIN;
SELECT plan(5);

SELECT is((SELECT count(*)::int FROM jobs.job WHERE name IN ('payments.intent_expiry', 'payments.idempotency_retention')
             AND enabled), 2, 'the expiry sweep and the key retention are registered and enabled');
CREATE TEMP TABLE w AS SELECT tests.payments_world('pj') AS j;
SELECT tests.put('i', (payments.create_intent((SELECT (j ->> 'merchant')::bigint FROM w), 10, 'KES') ->> 'id')::bigint);
UPDATE payments.payment_intent SET expires_at = now() - interval '1 minute' WHERE id = tests.id('i');
SELECT is((jobs.run('payments.intent_expiry')).outcome, 'OK', 'the expiry job runs');
SELECT is((SELECT status FROM payments.payment_intent WHERE id = tests.id('i')), 'CANCELED', 'and cancels the expired intent');
INSERT INTO payments.idempotency_key (scope_type, scope_id, key, operation, fingerprint, created_at, expires_at)
VALUES ('SERVICE', 0, 'pj-old', 'op', repeat('b', 64), now() - interval '31 days', now() - interval '1 day');
SELECT is((jobs.run('payments.idempotency_retention')).outcome, 'OK', 'the retention job runs');
SELECT is((SELECT count(*)::int FROM payments.idempotency_key WHERE key = 'pj-old'), 0, 'and deletes the expired key');

SELECT * FROM finish();
ROLLBACK;
