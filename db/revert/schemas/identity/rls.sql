-- Revert mercato:schemas/identity/rls from pg

BEGIN;

REVOKE SELECT ON identity.tenant, identity.user_account, identity.role_assignment, identity.business, identity.provider,
    identity.vehicle, identity.vehicle_insurance, identity.trust_score_event, identity.tier_change, identity.tier_candidate
    FROM mercato_user;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'identity' LOOP
        EXECUTE format('DROP POLICY %I ON identity.%I', r.policyname, r.tablename);
    END LOOP;
END $$;
ALTER TABLE identity.tenant DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.user_account DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.role_assignment DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.business DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.provider DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.vehicle DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.vehicle_insurance DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.trust_score_event DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.tier_change DISABLE ROW LEVEL SECURITY;
ALTER TABLE identity.tier_candidate DISABLE ROW LEVEL SECURITY;
DROP FUNCTION identity.my_tenant_id(), identity.my_provider_id(), identity.my_business_id();

COMMIT;
