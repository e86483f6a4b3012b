-- Verify mercato:schemas/payments/rails on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT code, name, kind, currency, clearing_account_id, status, shortcode, answer_timeout_seconds, timestamp_tolerance_seconds, source_allowlist, created_at, updated_at
  FROM payments.rail WHERE false;
SELECT id, rail_code, kind, secret, token_hash, created_at, retired_at
  FROM payments.rail_secret WHERE false;
SELECT id, rail_code, direction, subject_type, subject_id, amount, currency, account, reference, state, message_id, provider_request_id, provider_ref, provider_transaction_id, result_code, result_desc, review_reason, queries, next_check_at, open_check_at, created_at, answered_at, final_at
  FROM payments.rail_instruction WHERE false;
SELECT id, instruction_id, originator_conversation_id, reason, state, message_id, outcome, created_at, answered_at
  FROM payments.rail_status_query WHERE false;
SELECT id, provider, received_at, source_address, headers, body, event_kind, dedupe_key, parsed, instruction_id, duplicate_of, processing_state, error_code, error, processed_at
  FROM payments.webhook_event WHERE false;
SELECT provider, dedupe_key, event_id
  FROM payments.webhook_dedupe WHERE false;
SELECT id, wallet_id, rail_code, amount, currency, payer, fee, fee_rule_id, status, failure_code, failure_reason, intent_share_id, created_by, created_at, expires_at, finished_at
  FROM payments.funding_session WHERE false;
SELECT id, wallet_id, rail_code, amount, currency, destination, fee, fee_rule_id, hold_id, status, failure_code, failure_reason, created_by, created_at, finished_at
  FROM payments.withdrawal WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['payments.funding_session_created_by_idx',
      'payments.funding_session_currency_idx',
      'payments.funding_session_expires_at_idx',
      'payments.funding_session_fee_rule_id_idx',
      'payments.funding_session_rail_code_idx',
      'payments.funding_session_wallet_id_idx',
      'payments.rail_instruction_currency_idx',
      'payments.rail_instruction_message_id_idx',
      'payments.rail_instruction_open_check_at_idx',
      'payments.rail_secret_rail_code_idx',
      'payments.rail_status_query_instruction_id_idx',
      'payments.rail_status_query_message_id_idx',
      'payments.webhook_dedupe_event_id_idx',
      'payments.webhook_event_duplicate_of_idx',
      'payments.webhook_event_instruction_id_idx',
      'payments.webhook_event_received_at_idx',
      'payments.withdrawal_created_by_idx',
      'payments.withdrawal_currency_idx',
      'payments.withdrawal_fee_rule_id_idx',
      'payments.withdrawal_hold_id_idx',
      'payments.withdrawal_rail_code_idx',
      'payments.withdrawal_wallet_id_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'payments.rail', unnest(ARRAY['rail_answer_timeout_seconds_check', 'rail_clearing_account_id_fkey', 'rail_clearing_account_id_key', 'rail_code_check', 'rail_currency_fkey', 'rail_kind_check', 'rail_name_check', 'rail_pkey', 'rail_shortcode_check', 'rail_source_allowlist_check', 'rail_status_check', 'rail_timestamp_tolerance_seconds_check'])
        UNION ALL
        SELECT 'payments.rail_secret', unnest(ARRAY['rail_secret_kind_check', 'rail_secret_pkey', 'rail_secret_rail_code_fkey', 'rail_secret_secret_check', 'rail_secret_token_hash_check', 'rail_secret_value_check'])
        UNION ALL
        SELECT 'payments.rail_instruction', unnest(ARRAY['rail_instruction_account_check', 'rail_instruction_amount_check', 'rail_instruction_currency_fkey', 'rail_instruction_direction_check', 'rail_instruction_final_check', 'rail_instruction_message_id_fkey', 'rail_instruction_pkey', 'rail_instruction_provider_ref_check', 'rail_instruction_provider_request_id_check', 'rail_instruction_provider_transaction_id_check', 'rail_instruction_queries_check', 'rail_instruction_rail_code_fkey', 'rail_instruction_rail_code_provider_ref_key', 'rail_instruction_reference_key', 'rail_instruction_state_check', 'rail_instruction_subject_key', 'rail_instruction_subject_type_check'])
        UNION ALL
        SELECT 'payments.rail_status_query', unnest(ARRAY['rail_status_query_answer_check', 'rail_status_query_instruction_id_fkey', 'rail_status_query_message_id_fkey', 'rail_status_query_originator_conversation_id_check', 'rail_status_query_originator_conversation_id_key', 'rail_status_query_outcome_check', 'rail_status_query_pkey', 'rail_status_query_reason_check', 'rail_status_query_state_check'])
        UNION ALL
        SELECT 'payments.webhook_event', unnest(ARRAY['webhook_event_dedupe_key_check', 'webhook_event_duplicate_of_fkey', 'webhook_event_event_kind_check', 'webhook_event_instruction_id_fkey', 'webhook_event_pkey', 'webhook_event_processing_state_check', 'webhook_event_provider_check'])
        UNION ALL
        SELECT 'payments.webhook_dedupe', unnest(ARRAY['webhook_dedupe_event_id_fkey', 'webhook_dedupe_pkey'])
        UNION ALL
        SELECT 'payments.funding_session', unnest(ARRAY['funding_session_amount_check', 'funding_session_created_by_fkey', 'funding_session_currency_fkey', 'funding_session_fee_check', 'funding_session_fee_rule_id_fkey', 'funding_session_finished_check', 'funding_session_payer_check', 'funding_session_pkey', 'funding_session_rail_code_fkey', 'funding_session_status_check', 'funding_session_wallet_id_fkey'])
        UNION ALL
        SELECT 'payments.withdrawal', unnest(ARRAY['withdrawal_amount_check', 'withdrawal_created_by_fkey', 'withdrawal_currency_fkey', 'withdrawal_destination_check', 'withdrawal_fee_check', 'withdrawal_fee_rule_id_fkey', 'withdrawal_finished_check', 'withdrawal_hold_id_fkey', 'withdrawal_pkey', 'withdrawal_rail_code_fkey', 'withdrawal_status_check', 'withdrawal_wallet_id_fkey'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.funding_session', 'funding_session_audit', 'audit.track()'),
               ('payments.rail', 'rail_audit', 'audit.track()'),
               ('payments.withdrawal', 'withdrawal_audit', 'audit.track()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r,
       unnest(ARRAY['payments.rail', 'payments.rail_secret', 'payments.rail_instruction', 'payments.rail_status_query', 'payments.webhook_event', 'payments.webhook_dedupe', 'payments.funding_session', 'payments.withdrawal']) AS t;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.oid = t::regclass AND c.relrowsecurity)::int
  FROM unnest(ARRAY['payments.rail_secret', 'payments.webhook_event']) AS t;
SELECT 1 / (SELECT count(*) FROM core.secret s WHERE s.table_schema = 'payments' AND s.table_name = 'rail_secret'
              AND s.column_name = c AND s.kind = 'SECRET')::int
  FROM unnest(ARRAY['secret', 'token_hash']) AS c;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['PAYMENTS_UNKNOWN_RAIL', 'PAYMENTS_WEBHOOK_UNAUTHENTICATED', 'PAYMENTS_WEBHOOK_REPLAYED',
                    'PAYMENTS_WEBHOOK_MALFORMED', 'PAYMENTS_UNKNOWN_FUNDING_SESSION', 'PAYMENTS_UNKNOWN_WITHDRAWAL',
                    'PAYMENTS_LIMIT_EXCEEDED', 'PAYMENTS_INSUFFICIENT_FUNDS']) AS c;
SELECT 1 / (SELECT count(*) FROM masterdata.setting WHERE key = 'PAYMENTS_FUNDING_SESSION_MINUTES')::int;
SELECT 1 / (SELECT count(*) FROM payments.rail WHERE code IN ('MPESA', 'KCB', 'DTB'))::int;

ROLLBACK;
