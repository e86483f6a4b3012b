-- Revert mercato:functions/ledger/accounts from pg

BEGIN;

DROP FUNCTION ledger.account_balance(bigint);
DROP FUNCTION ledger.set_account_status(bigint, text);
DROP FUNCTION ledger.open_account(text, text, text, text, boolean, numeric, boolean, integer, jsonb);

COMMIT;
