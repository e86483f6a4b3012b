-- Verify mercato:functions/payments/wallets on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['payments.wallet_for(text, bigint, text)',
               'payments.register_wallet(bigint, bigint)',
               'payments.require_wallet(bigint, text)',
               'payments.kyc_level_of(bigint)',
               'payments.set_kyc_level(text, bigint, integer, text)',
               'payments.wallet_limits(bigint, timestamptz)',
               'payments.open_wallet(text, bigint)',
               'payments.my_wallets()',
               'payments.wallet_statement(bigint, timestamptz, timestamptz, bigint, integer)',
               'payments.my_wallet_limits(bigint)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.wallet_for(text, bigint, text)',
               'payments.register_wallet(bigint, bigint)',
               'payments.require_wallet(bigint, text)',
               'payments.kyc_level_of(bigint)',
               'payments.set_kyc_level(text, bigint, integer, text)',
               'payments.wallet_limits(bigint, timestamptz)',
               'payments.open_wallet(text, bigint)',
               'payments.my_wallets()',
               'payments.wallet_statement(bigint, timestamptz, timestamptz, bigint, integer)',
               'payments.my_wallet_limits(bigint)']) AS f;

ROLLBACK;
