-- Verify mercato:schemas/payments/intents on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT id, scope_type, scope_id, key, operation, fingerprint, status, response, created_at, completed_at, expires_at
  FROM payments.idempotency_key WHERE false;
SELECT id, merchant_id, payer_user_id, created_by, amount, currency, description, metadata, capture_method, status,
    attempt, amount_captured, amount_refunded, fee, fee_rule_id, last_error, cancellation_reason, expires_at,
    open_expires_at, created_at, updated_at
  FROM payments.payment_intent WHERE false;
SELECT id, intent_id, attempt, source, wallet_id, rail, amount, status, hold_id, captured, refunded, failure_reason,
    created_at, updated_at
  FROM payments.intent_share WHERE false;
SELECT id, intent_id, from_status, to_status, actor_user_id, detail, at FROM payments.intent_event WHERE false;
SELECT id, intent_id, amount, reason, reference, created_by, created_at FROM payments.intent_refund WHERE false;
SELECT id, merchant_id, kind, intent_id, reference, amount, payload, status, expires_at, used_at, created_by, created_at
  FROM payments.qr_code WHERE false;
SELECT id, secret, created_at FROM payments.intent_secret_key WHERE false;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.oid = 'payments.intent_secret_key'::regclass
               AND c.relrowsecurity)::int;
SELECT 1 / (SELECT count(*) FROM core.secret s WHERE s.table_schema = 'payments' AND s.table_name = 'intent_secret_key'
               AND s.column_name = 'secret' AND s.kind = 'SECRET')::int;
SELECT x.i::regclass
  FROM unnest(ARRAY['payments.idempotency_key_expires_at_idx', 'payments.payment_intent_merchant_id_idx',
      'payments.payment_intent_payer_user_id_idx', 'payments.payment_intent_created_by_idx',
      'payments.payment_intent_currency_idx', 'payments.payment_intent_fee_rule_id_idx',
      'payments.payment_intent_open_expires_at_idx', 'payments.intent_share_intent_id_idx',
      'payments.intent_share_wallet_id_idx', 'payments.intent_event_intent_id_idx',
      'payments.intent_event_actor_user_id_idx', 'payments.intent_refund_intent_id_idx',
      'payments.intent_refund_created_by_idx', 'payments.qr_code_merchant_id_idx',
      'payments.qr_code_created_by_idx', 'payments.intent_secret_key_single_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'payments.idempotency_key', unnest(ARRAY['idempotency_key_fingerprint_check', 'idempotency_key_key_check',
            'idempotency_key_operation_check', 'idempotency_key_pkey', 'idempotency_key_response_check',
            'idempotency_key_retention_check', 'idempotency_key_scope_key', 'idempotency_key_scope_type_check',
            'idempotency_key_status_check'])
        UNION ALL
        SELECT 'payments.payment_intent', unnest(ARRAY['payment_intent_amount_check', 'payment_intent_attempt_check',
            'payment_intent_capture_method_check', 'payment_intent_captured_check', 'payment_intent_created_by_fkey',
            'payment_intent_currency_fkey', 'payment_intent_description_check', 'payment_intent_fee_check',
            'payment_intent_fee_rule_id_fkey', 'payment_intent_merchant_id_fkey', 'payment_intent_metadata_check',
            'payment_intent_payer_user_id_fkey', 'payment_intent_pkey', 'payment_intent_refunded_check',
            'payment_intent_status_check'])
        UNION ALL
        SELECT 'payments.intent_share', unnest(ARRAY['intent_share_amount_check', 'intent_share_captured_check',
            'intent_share_failure_reason_check', 'intent_share_held_check', 'intent_share_hold_id_fkey',
            'intent_share_hold_id_key', 'intent_share_intent_id_fkey', 'intent_share_pkey', 'intent_share_rail_check',
            'intent_share_refunded_check', 'intent_share_source_check', 'intent_share_source_fields_check',
            'intent_share_status_check', 'intent_share_wallet_id_fkey'])
        UNION ALL
        SELECT 'payments.intent_event', unnest(ARRAY['intent_event_actor_user_id_fkey', 'intent_event_intent_id_fkey',
            'intent_event_pkey'])
        UNION ALL
        SELECT 'payments.intent_refund', unnest(ARRAY['intent_refund_amount_check', 'intent_refund_created_by_fkey',
            'intent_refund_intent_id_fkey', 'intent_refund_pkey', 'intent_refund_reason_check',
            'intent_refund_reference_key'])
        UNION ALL
        SELECT 'payments.qr_code', unnest(ARRAY['qr_code_amount_check', 'qr_code_created_by_fkey',
            'qr_code_intent_id_fkey', 'qr_code_intent_id_key', 'qr_code_kind_check', 'qr_code_kind_fields_check',
            'qr_code_merchant_id_fkey', 'qr_code_payload_key', 'qr_code_pkey', 'qr_code_reference_check',
            'qr_code_reference_key', 'qr_code_status_check'])
        UNION ALL
        SELECT 'payments.intent_secret_key', unnest(ARRAY['intent_secret_key_pkey', 'intent_secret_key_secret_check'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled
                 <> 'D')::int
  FROM (VALUES ('payments.intent_event', 'intent_event_fixed', 'core.refuse_change_trg()'),
               ('payments.intent_event', 'intent_event_no_truncate', 'core.refuse_change_trg()'),
               ('payments.intent_refund', 'intent_refund_fixed', 'core.refuse_change_trg()'),
               ('payments.intent_refund', 'intent_refund_no_truncate', 'core.refuse_change_trg()'),
               ('payments.qr_code', 'qr_code_audit', 'audit.track()'),
               ('payments.payment_intent', 'payment_intent_audit', 'audit.track()'),
               ('payments.intent_refund', 'intent_refund_audit', 'audit.track()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.idempotency_key', 'payments.payment_intent', 'payments.intent_share',
                    'payments.intent_event', 'payments.intent_refund', 'payments.qr_code',
                    'payments.intent_secret_key']) AS t;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['PAYMENTS_IDEMPOTENCY_MISMATCH', 'PAYMENTS_IDEMPOTENCY_IN_PROGRESS', 'PAYMENTS_UNKNOWN_INTENT',
                    'PAYMENTS_INTENT_STATE', 'PAYMENTS_REFUND_EXCEEDS', 'PAYMENTS_UNKNOWN_SHARE', 'PAYMENTS_QR_UNKNOWN',
                    'PAYMENTS_QR_USED', 'PAYMENTS_QR_EXPIRED']) AS c;

ROLLBACK;
