-- Revert mercato:functions/api/payments_wallets from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.fee_report(bigint, core.finite_timestamptz, core.finite_timestamptz);
DROP FUNCTION api.fee_quote(core.name_text, core.name_text, bigint, core.name_text, numeric);
DROP FUNCTION api.set_fee_rule(bigint, core.name_text, core.name_text, core.name_text, numeric, numeric, numeric, numeric, core.finite_timestamptz);
DROP FUNCTION api.set_kyc_level(core.name_text, bigint, integer, core.long_text);
DROP FUNCTION api.wallet_limits(bigint);
DROP FUNCTION api.wallet_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer);
DROP FUNCTION api.my_wallets();
DROP FUNCTION api.open_wallet(core.name_text, bigint);

COMMIT;
