-- Tests for schemas/payments/intents: no API role reads or writes the tables; the constraints that hold whoever
-- writes (refunded <= captured, key retention, share fields, QR kinds) and the codes.
BEGIN;
SELECT plan(12);

SELECT ok(NOT bool_or(has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE')),
          'no API role holds a privilege on ' || t)
  FROM unnest(ARRAY['payments.idempotency_key', 'payments.payment_intent', 'payments.intent_share',
                    'payments.intent_event', 'payments.intent_refund', 'payments.qr_code',
                    'payments.intent_secret_key']) AS t,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r
 GROUP BY t ORDER BY t;
SELECT is((SELECT sqlstate FROM core.error WHERE code = 'PAYMENTS_IDEMPOTENCY_MISMATCH'), 'PT422',
          'another request under a used key is a 422');
SELECT is((SELECT sqlstate FROM core.error WHERE code = 'PAYMENTS_IDEMPOTENCY_IN_PROGRESS'), 'PT409',
          'a key in progress is a retryable 409');
SELECT is((SELECT count(*)::int FROM pg_constraint WHERE conname IN ('payment_intent_refunded_check',
           'intent_share_refunded_check', 'idempotency_key_retention_check', 'qr_code_kind_fields_check')), 4,
          'refunds never above captures, keys kept 30 days, QR kinds: CHECKs');

SELECT is((SELECT count(*)::int FROM payments.intent_secret_key WHERE length(secret) >= 32), 1,
          'one HMAC key of the client secrets, 32 bytes');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'payments.intent_secret_key'::regclass)
          AND EXISTS (SELECT FROM core.secret WHERE table_name = 'intent_secret_key' AND kind = 'SECRET'),
          'the key is a SECRET, row-level security on');

SELECT * FROM finish();
ROLLBACK;
