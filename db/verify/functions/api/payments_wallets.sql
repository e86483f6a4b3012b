-- Verify mercato:functions/api/payments_wallets on pg

BEGIN;

SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM (VALUES ('mercato_user', 'api.open_wallet(core.name_text, bigint)'),
               ('mercato_user', 'api.my_wallets()'),
               ('mercato_user', 'api.wallet_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)'),
               ('mercato_service', 'api.wallet_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)'),
               ('mercato_user', 'api.wallet_limits(bigint)'),
               ('mercato_service', 'api.wallet_limits(bigint)'),
               ('mercato_user', 'api.set_kyc_level(core.name_text, bigint, integer, core.long_text)'),
               ('mercato_service', 'api.set_kyc_level(core.name_text, bigint, integer, core.long_text)'),
               ('mercato_user', 'api.set_fee_rule(bigint, core.name_text, core.name_text, core.name_text, numeric, numeric, numeric, numeric, core.finite_timestamptz)'),
               ('mercato_service', 'api.set_fee_rule(bigint, core.name_text, core.name_text, core.name_text, numeric, numeric, numeric, numeric, core.finite_timestamptz)'),
               ('mercato_user', 'api.fee_quote(core.name_text, core.name_text, bigint, core.name_text, numeric)'),
               ('mercato_service', 'api.fee_quote(core.name_text, core.name_text, bigint, core.name_text, numeric)'),
               ('mercato_user', 'api.fee_report(bigint, core.finite_timestamptz, core.finite_timestamptz)'),
               ('mercato_service', 'api.fee_report(bigint, core.finite_timestamptz, core.finite_timestamptz)')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM (VALUES ('mercato_service', 'api.open_wallet(core.name_text, bigint)'),
               ('mercato_service', 'api.my_wallets()')) AS x(r, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.open_wallet(core.name_text, bigint)', 'api.my_wallets()',
                    'api.wallet_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer)',
                    'api.wallet_limits(bigint)', 'api.set_kyc_level(core.name_text, bigint, integer, core.long_text)',
                    'api.set_fee_rule(bigint, core.name_text, core.name_text, core.name_text, numeric, numeric, numeric, numeric, core.finite_timestamptz)',
                    'api.fee_quote(core.name_text, core.name_text, bigint, core.name_text, numeric)',
                    'api.fee_report(bigint, core.finite_timestamptz, core.finite_timestamptz)']) AS f;

ROLLBACK;
