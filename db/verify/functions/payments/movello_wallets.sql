-- Verify mercato:functions/payments/movello_wallets on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n
               AND g.tgfoid = 'payments.register_party_wallet_trg()'::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('parties.business', 'business_payments_wallet'), ('parties.provider', 'provider_payments_wallet')) AS x(t, n);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'payments.register_party_wallet_trg()', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r;

ROLLBACK;
