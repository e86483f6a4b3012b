-- Verify mercato:schemas/payments/webhook_resolution on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT id, event_id, action, reason, from_state, to_state, detail, resolved_by, created_at
  FROM payments.webhook_resolution WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['payments.webhook_resolution_event_id_idx', 'payments.webhook_resolution_resolved_by_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k
             WHERE k.conrelid = 'payments.webhook_resolution'::regclass AND k.conname = c)::int
  FROM unnest(ARRAY['webhook_resolution_pkey', 'webhook_resolution_event_id_fkey', 'webhook_resolution_action_check',
                    'webhook_resolution_reason_check', 'webhook_resolution_from_state_check',
                    'webhook_resolution_to_state_check', 'webhook_resolution_detail_check',
                    'webhook_resolution_resolved_by_fkey']) AS c;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'payments.webhook_resolution'::regclass AND g.tgname = x.n
               AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('webhook_resolution_fixed', 'core.refuse_change_trg()'),
               ('webhook_resolution_no_truncate', 'core.refuse_change_trg()'),
               ('webhook_resolution_audit', 'audit.track()')) AS x(n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, 'payments.webhook_resolution', p))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['PAYMENTS_UNKNOWN_WEBHOOK_EVENT', 'PAYMENTS_WEBHOOK_EVENT_FINAL', 'PAYMENTS_WEBHOOK_EVENT_UNPARSED',
                    'PAYMENTS_WEBHOOK_EVENT_FLAGGED']) AS c;

ROLLBACK;
