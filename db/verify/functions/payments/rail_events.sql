-- Verify mercato:functions/payments/rail_events on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.funding_session', 'funding_session_emit', 'payments.funding_session_emit_trg()'),
               ('payments.withdrawal', 'withdrawal_emit', 'payments.withdrawal_emit_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.funding_session_emit_trg()', 'payments.withdrawal_emit_trg()']) AS f;

ROLLBACK;
