-- Revert mercato:functions/ledger from pg

BEGIN;

DROP FUNCTION ledger.check();
DROP FUNCTION ledger.statement(bigint, timestamptz, timestamptz, bigint, integer);
DROP FUNCTION ledger.balance_at(bigint, timestamptz);
DROP FUNCTION ledger.seq_at(bigint, smallint, timestamptz, boolean);
DROP FUNCTION ledger.account_balance(bigint);
DROP FUNCTION ledger.reverse(text, bigint, text);
DROP FUNCTION ledger.expire_holds(integer);
DROP FUNCTION ledger.release_hold(text, bigint);
DROP FUNCTION ledger.capture_hold(text, bigint, jsonb, text);
DROP FUNCTION ledger.create_hold(text, bigint, numeric, timestamptz, text);
DROP FUNCTION ledger.post_batch(jsonb);
DROP FUNCTION ledger.post(text, jsonb, text, jsonb);
DROP FUNCTION ledger.transfer(text, bigint, bigint, numeric, text, jsonb);
DROP FUNCTION ledger.set_account_status(bigint, text);
DROP FUNCTION ledger.open_account(text, text, text, text, boolean, numeric, boolean, integer, jsonb);
DROP FUNCTION ledger.apply_legs(bigint, bigint[], numeric[], text[]);
DROP FUNCTION ledger.post_credit(bigint, numeric, text);
DROP FUNCTION ledger.post_credit_slot(bigint, numeric, text);
DROP FUNCTION ledger.post_debit(bigint, numeric, text);
DROP FUNCTION ledger.refuse(bigint, numeric, text, boolean);
DROP FUNCTION ledger.available(bigint);
DROP FUNCTION ledger.replay(text, uuid);
DROP FUNCTION ledger.check_memo(text);
DROP FUNCTION ledger.check_amount(numeric, text);
DROP FUNCTION ledger.check_reference(text);
DROP FUNCTION ledger.parse_id(jsonb);
DROP FUNCTION ledger.parse_amount(jsonb);
DROP TRIGGER hold_resolve_once ON ledger.hold;
DROP FUNCTION ledger.hold_resolved_trg();
DROP TRIGGER hold_terms_immutable ON ledger.hold;
DROP TRIGGER transaction_reversed_once ON ledger.transaction;
DROP TRIGGER transaction_immutable ON ledger.transaction;
DROP TRIGGER account_slot_terms_immutable ON ledger.account_slot;
DROP TRIGGER account_terms_immutable ON ledger.account;
DROP TRIGGER entry_immutable ON ledger.entry;
DROP TRIGGER entry_no_truncate ON ledger.entry;
DROP TRIGGER transaction_no_delete ON ledger.transaction;
DROP TRIGGER hold_no_delete ON ledger.hold;
DROP TRIGGER account_no_delete ON ledger.account;
DROP TRIGGER account_slot_no_delete ON ledger.account_slot;
DROP FUNCTION ledger.immutable_trg();
DROP TRIGGER entry_balanced ON ledger.entry;
DROP FUNCTION ledger.entry_balanced_trg();

COMMIT;
