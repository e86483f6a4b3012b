-- Verify mercato:schemas/outbox on pg

BEGIN;

SELECT 1 / count(*)::int FROM pg_catalog.pg_roles WHERE rolname = 'mercato_sender' AND NOT rolcanlogin AND NOT rolsuper;
SELECT id, tenant_id, channel, recipient, template, params, dedupe_key, state, attempts, next_attempt_at, last_error,
       lease_token, lease_worker, lease_until, created_at, sent_at, secret_redacted_at, due_at
  FROM outbox.message WHERE false;
SELECT message_id, secret FROM outbox.message_secret WHERE false;
SELECT 1 / count(*)::int FROM pg_catalog.pg_index WHERE indexrelid = 'outbox.message_channel_due_at_idx'::regclass;
SELECT 1 / count(*)::int FROM pg_catalog.pg_index WHERE indexrelid = 'outbox.message_tenant_id_idx'::regclass;
SELECT 1 / (count(*) = 7)::int FROM pg_catalog.pg_constraint
 WHERE conrelid = 'outbox.message'::regclass
   AND conname IN ('message_channel_check', 'message_state_check', 'message_dedupe_key_key', 'message_lease_check',
                   'message_sent_at_check', 'message_params_check', 'message_tenant_id_fkey');
SELECT 1 / count(*)::int FROM pg_catalog.pg_constraint
 WHERE conrelid = 'outbox.message_secret'::regclass AND conname = 'message_secret_message_id_fkey';
SELECT 1 / (count(*) = 7)::int FROM core.error
 WHERE code IN ('OUTBOX_INVALID_MESSAGE', 'OUTBOX_DEDUPE_CONFLICT', 'OUTBOX_UNKNOWN_MESSAGE', 'OUTBOX_INVALID_TRANSITION',
                'OUTBOX_LEASE_LOST', 'OUTBOX_NOT_SENDER', 'OUTBOX_NOT_BACK_OFFICE');
SELECT 1 / (count(*) = 4)::int FROM masterdata.setting
 WHERE key IN ('OUTBOX_MAX_ATTEMPTS', 'OUTBOX_BACKOFF_BASE_SECONDS', 'OUTBOX_BACKOFF_MAX_SECONDS', 'OUTBOX_RETENTION_DAYS');
SELECT 1 / count(*)::int FROM core.secret
 WHERE table_schema = 'outbox' AND table_name = 'message_secret' AND column_name = 'secret' AND kind = 'SECRET';
-- nobody but the owner reads or writes the tables, the sender included
SELECT 1 / (NOT has_table_privilege(r, t, p))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) r,
       unnest(ARRAY['outbox.message', 'outbox.message_secret']) t,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p;

ROLLBACK;
