-- Revert mercato:functions/api/ledger from pg

BEGIN;

DROP FUNCTION api.ledger_check(), api.account_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer),
    api.balance_at(bigint, core.finite_timestamptz), api.account_balance(bigint), api.reverse_transaction(core.name_text, bigint, core.long_text),
    api.expire_holds(integer), api.release_hold(core.name_text, bigint), api.capture_hold(core.name_text, bigint, core.json_doc, core.long_text),
    api.create_hold(core.name_text, bigint, numeric, core.finite_timestamptz, core.long_text), api.post_batch(core.json_batch),
    api.post_transaction(core.name_text, core.json_doc, core.long_text, core.json_doc), api.transfer(core.name_text, bigint, bigint, numeric, core.long_text, core.json_doc),
    api.set_account_status(bigint, core.name_text),
    api.open_account(core.name_text, core.name_text, core.name_text, core.name_text, boolean, numeric, boolean, integer, core.json_doc),
    api.my_statement(bigint, core.finite_timestamptz, core.finite_timestamptz, bigint, integer), api.my_accounts();

COMMIT;
