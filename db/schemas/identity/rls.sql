-- Deploy mercato:schemas/identity/rls to pg
-- Row-level security on identity's party tables: a user sees its own user account, business or provider, vehicles,
-- insurance, trust and tier history; a marketplace admin also sees every business, provider, vehicle and policy (KYB,
-- verification); the back office (mercato_service) sees all. Policies are SELECT-only: no API role writes these tables
-- (functions do). Planned after every module so that the policy helpers can read what they need.

BEGIN;

CREATE FUNCTION identity.my_business_id()
RETURNS bigint
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT b.id FROM identity.business b WHERE b.user_id = identity.current_user_id());
COMMENT ON FUNCTION identity.my_business_id() IS
'The calling user''s business id, NULL when the caller is anonymous or not a business. For row-level security policies
(never raises, unlike identity.current_business()).';

CREATE FUNCTION identity.my_provider_id()
RETURNS bigint
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT p.id FROM identity.provider p WHERE p.user_id = identity.current_user_id());
COMMENT ON FUNCTION identity.my_provider_id() IS
'The calling user''s provider id, NULL when the caller is anonymous or not a provider. For row-level security policies
(never raises, unlike identity.current_provider()).';

CREATE FUNCTION identity.my_tenant_id()
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN (identity.current_actor()).tenant_id;
COMMENT ON FUNCTION identity.my_tenant_id() IS
'The calling user''s tenant id, NULL when anonymous or platform-wide. For row-level security policies.';

GRANT EXECUTE ON FUNCTION identity.my_business_id(), identity.my_provider_id(), identity.my_tenant_id()
    TO mercato_user, mercato_service;

ALTER TABLE identity.tenant ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.user_account ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.role_assignment ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.business ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.provider ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.vehicle ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.vehicle_insurance ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.trust_score_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.tier_change ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.tier_candidate ENABLE ROW LEVEL SECURITY;

-- The back office reads every row of the tables it was granted (schemas/identity, schemas/identity/parties).
CREATE POLICY tenant_service ON identity.tenant FOR SELECT TO mercato_service USING (true);
CREATE POLICY user_account_service ON identity.user_account FOR SELECT TO mercato_service USING (true);
CREATE POLICY role_assignment_service ON identity.role_assignment FOR SELECT TO mercato_service USING (true);
CREATE POLICY business_service ON identity.business FOR SELECT TO mercato_service USING (true);
CREATE POLICY provider_service ON identity.provider FOR SELECT TO mercato_service USING (true);
CREATE POLICY vehicle_service ON identity.vehicle FOR SELECT TO mercato_service USING (true);
CREATE POLICY vehicle_insurance_service ON identity.vehicle_insurance FOR SELECT TO mercato_service USING (true);
CREATE POLICY trust_score_event_service ON identity.trust_score_event FOR SELECT TO mercato_service USING (true);
CREATE POLICY tier_change_service ON identity.tier_change FOR SELECT TO mercato_service USING (true);
CREATE POLICY tier_candidate_service ON identity.tier_candidate FOR SELECT TO mercato_service USING (true);

-- Users: their own rows; marketplace admins the parties they vet. (SELECT f()) is evaluated once per query.
CREATE POLICY tenant_own ON identity.tenant FOR SELECT TO mercato_user
    USING (id = (SELECT identity.my_tenant_id()));
CREATE POLICY user_account_own ON identity.user_account FOR SELECT TO mercato_user
    USING (id = (SELECT identity.current_user_id()));
CREATE POLICY role_assignment_own ON identity.role_assignment FOR SELECT TO mercato_user
    USING (user_id = (SELECT identity.current_user_id()));
CREATE POLICY business_own ON identity.business FOR SELECT TO mercato_user
    USING (user_id = (SELECT identity.current_user_id()) OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY provider_own ON identity.provider FOR SELECT TO mercato_user
    USING (user_id = (SELECT identity.current_user_id()) OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY vehicle_own ON identity.vehicle FOR SELECT TO mercato_user
    USING (provider_id = (SELECT identity.my_provider_id()) OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY vehicle_insurance_own ON identity.vehicle_insurance FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM identity.vehicle v WHERE v.id = vehicle_insurance.vehicle_id));   -- the vehicle policy decides
CREATE POLICY trust_score_event_own ON identity.trust_score_event FOR SELECT TO mercato_user
    USING (provider_id = (SELECT identity.my_provider_id()) OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY tier_change_own ON identity.tier_change FOR SELECT TO mercato_user
    USING ((party_type = 'PROVIDER' AND party_id = (SELECT identity.my_provider_id()))
           OR (party_type = 'BUSINESS' AND party_id = (SELECT identity.my_business_id()))
           OR (SELECT identity.is_marketplace_admin()));
CREATE POLICY tier_candidate_own ON identity.tier_candidate FOR SELECT TO mercato_user
    USING ((party_type = 'PROVIDER' AND party_id = (SELECT identity.my_provider_id()))
           OR (party_type = 'BUSINESS' AND party_id = (SELECT identity.my_business_id()))
           OR (SELECT identity.is_marketplace_admin()));

-- Every user_account column but auth_subject (sealed, core.secret; api.me() tells a user its own).
GRANT SELECT (id, tenant_id, user_type, display_name, email, phone, status, metadata, created_at, updated_at) ON identity.user_account TO mercato_user;
GRANT SELECT ON identity.tenant, identity.role_assignment, identity.business, identity.provider,
    identity.vehicle, identity.vehicle_insurance, identity.trust_score_event, identity.tier_change, identity.tier_candidate
    TO mercato_user;

COMMIT;
