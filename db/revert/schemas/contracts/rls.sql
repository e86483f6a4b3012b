-- Revert mercato:schemas/contracts/rls from pg

BEGIN;

REVOKE SELECT ON contracts.contract, contracts.party_business, contracts.party_provider, contracts.contract_line,
    contracts.assignment FROM mercato_user, mercato_service;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'contracts' LOOP
        EXECUTE format('DROP POLICY %I ON contracts.%I', r.policyname, r.tablename);
    END LOOP;
END $$;
ALTER TABLE contracts.contract DISABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.party_business DISABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.party_provider DISABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.contract_line DISABLE ROW LEVEL SECURITY;
ALTER TABLE contracts.assignment DISABLE ROW LEVEL SECURITY;
DROP FUNCTION contracts.visible_total_amount(bigint);
DROP FUNCTION contracts.visible_lines();
DROP FUNCTION contracts.my_contract_ids();

COMMIT;
