-- Revert mercato:functions/api/ledger from pg

BEGIN;

DROP FUNCTION api.ledger_check(), api.account_statement(bigint, timestamptz, timestamptz, bigint, integer),
    api.balance_at(bigint, timestamptz), api.account_balance(bigint), api.reverse_transaction(text, bigint, text),
    api.expire_holds(integer), api.release_hold(text, bigint), api.capture_hold(text, bigint, jsonb, text),
    api.create_hold(text, bigint, numeric, timestamptz, text), api.post_batch(jsonb),
    api.post_transaction(text, jsonb, text, jsonb), api.transfer(text, bigint, bigint, numeric, text, jsonb),
    api.set_account_status(bigint, text),
    api.open_account(text, text, text, text, boolean, numeric, boolean, integer, jsonb),
    api.my_statement(bigint, timestamptz, timestamptz, bigint, integer), api.my_accounts();

COMMIT;
