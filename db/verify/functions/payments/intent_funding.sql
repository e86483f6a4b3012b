-- Verify mercato:functions/payments/intent_funding on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint
             WHERE conrelid = 'payments.funding_session'::regclass AND conname = 'funding_session_intent_share_id_fkey')::int;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'payments.funding_session'::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('funding_session_share_check', 'payments.funding_session_share_check_trg()'),
               ('funding_session_share_settle', 'payments.funding_session_share_settle_trg()')) AS x(n, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.funding_session_share_check_trg()', 'payments.funding_session_share_settle_trg()']) AS f;

ROLLBACK;
