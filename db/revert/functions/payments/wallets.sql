-- Revert mercato:functions/payments/wallets from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION payments.my_wallet_limits(bigint);
DROP FUNCTION payments.wallet_statement(bigint, timestamptz, timestamptz, bigint, integer);
DROP FUNCTION payments.my_wallets();
DROP FUNCTION payments.open_wallet(text, bigint);
DROP FUNCTION payments.wallet_limits(bigint, timestamptz);
DROP FUNCTION payments.set_kyc_level(text, bigint, integer, text);
DROP FUNCTION payments.kyc_level_of(bigint);
DROP FUNCTION payments.require_wallet(bigint, text);
DROP FUNCTION payments.register_wallet(bigint, bigint);
DROP FUNCTION payments.wallet_for(text, bigint, text);

COMMIT;
