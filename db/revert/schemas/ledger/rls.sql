-- Revert mercato:schemas/ledger/rls from pg

BEGIN;

REVOKE SELECT ON ledger.account, ledger.transaction, ledger.entry, ledger.hold FROM mercato_user;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'ledger' LOOP
        EXECUTE format('DROP POLICY %I ON ledger.%I', r.policyname, r.tablename);
    END LOOP;
END $$;
ALTER TABLE ledger.account DISABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.account_slot DISABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.transaction DISABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.entry DISABLE ROW LEVEL SECURITY;
ALTER TABLE ledger.hold DISABLE ROW LEVEL SECURITY;
DROP FUNCTION ledger.visible_hold_reference(bigint), ledger.visible_transaction_reference(bigint);
DROP FUNCTION ledger.slot_total(bigint), ledger.my_account_ids();

COMMIT;
