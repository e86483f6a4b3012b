-- Verify mercato:functions/payments/intent_events on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.intent_event', 'intent_event_emit', 'payments.intent_event_emit_trg()'),
               ('payments.intent_refund', 'intent_refund_emit', 'payments.intent_refund_emit_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.intent_event_emit_trg()', 'payments.intent_refund_emit_trg()']) AS f;

ROLLBACK;
