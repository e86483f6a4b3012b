-- Revert mercato:schemas/ledger from pg

BEGIN;

DELETE FROM core.error WHERE module = 'ledger';
DROP TABLE ledger.entry, ledger.hold, ledger.transaction, ledger.account_slot, ledger.account;
DROP SCHEMA ledger;

COMMIT;
