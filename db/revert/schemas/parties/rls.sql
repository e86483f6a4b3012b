-- Revert mercato:schemas/parties/rls from pg

BEGIN;

REVOKE SELECT ON parties.business, parties.provider, parties.trust_score_event, parties.tier_change,
    parties.tier_candidate FROM mercato_user;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'parties' LOOP
        EXECUTE format('DROP POLICY %I ON parties.%I', r.policyname, r.tablename);
        EXECUTE format('ALTER TABLE parties.%I DISABLE ROW LEVEL SECURITY', r.tablename);
    END LOOP;
END $$;
DROP FUNCTION parties.my_provider_id(), parties.my_business_id();

COMMIT;
