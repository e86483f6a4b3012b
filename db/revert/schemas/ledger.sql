-- Revert mercato:schemas/ledger from pg

BEGIN;

DELETE FROM core.error WHERE module = 'ledger';
DELETE FROM core.secret WHERE table_schema = 'ledger';
DROP TABLE ledger.entry, ledger.hold, ledger.transaction, ledger.account_slot, ledger.account;
DROP DOMAIN ledger.reference, ledger.memo, ledger.owner_type, ledger.owner_id, ledger.account_purpose,
    ledger.account_status, ledger.slot_count, ledger.limit_amount, ledger.hot_slot, ledger.transaction_kind, ledger.hold_status;
DROP SCHEMA ledger;

COMMIT;
