-- Revert mercato:functions/payments/movello_wallets from pg
-- The registry rows stay (payments.wallet never changes, PAYMENTS_IMMUTABLE): registering them again is idempotent.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER provider_payments_wallet ON parties.provider;
DROP TRIGGER business_payments_wallet ON parties.business;
DROP FUNCTION payments.register_party_wallet_trg();

COMMIT;
