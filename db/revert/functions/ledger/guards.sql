-- Revert mercato:functions/ledger/guards from pg

BEGIN;

DROP TRIGGER hold_resolve_once ON ledger.hold;
DROP FUNCTION ledger.hold_resolved_trg();
DROP TRIGGER hold_terms_immutable ON ledger.hold;
DROP TRIGGER transaction_reversed_once ON ledger.transaction;
DROP TRIGGER transaction_immutable ON ledger.transaction;
DROP TRIGGER account_slot_terms_immutable ON ledger.account_slot;
DROP TRIGGER account_terms_immutable ON ledger.account;
DROP TRIGGER account_hot_policy ON ledger.account;
DROP FUNCTION ledger.account_hot_policy_trg();
DROP TRIGGER entry_immutable ON ledger.entry;
DROP TRIGGER entry_no_truncate ON ledger.entry;
DROP TRIGGER transaction_no_delete ON ledger.transaction;
DROP TRIGGER hold_no_delete ON ledger.hold;
DROP TRIGGER account_no_delete ON ledger.account;
DROP TRIGGER account_slot_no_delete ON ledger.account_slot;
DROP TRIGGER entry_balanced ON ledger.entry;
DROP FUNCTION ledger.entry_balanced_trg();

COMMIT;
