-- Verify mercato:functions/payments/intent_events on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n
               AND g.tgfoid = 'payments.intent_event_emit_trg()'::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.intent_event', 'intent_event_emit'), ('payments.intent_refund', 'intent_refund_emit')) AS x(t, n);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'payments.intent_event_emit_trg()', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
