-- Deploy mercato:schemas/parties/rls to pg
-- Row-level security on the rental product's parties: a member sees the businesses and providers it belongs to
-- (identity.membership), and the trust and tier history of the one it acts for; a marketplace admin also sees every
-- business and provider (KYB, verification); the back office
-- (mercato_service) sees all. Policies are SELECT-only: no API role writes these tables (functions do). Planned after
-- every module so that the policy helpers can read what they need.

BEGIN;

CREATE FUNCTION parties.my_business_id()
RETURNS bigint
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT b.id FROM parties.business b WHERE b.organization_id = identity.acting_organization('BUSINESS', false));
COMMENT ON FUNCTION parties.my_business_id() IS
'The id of the business the caller acts for, NULL when none; for row-level security policies.
identity.acting_organization decides (the "org" claim, else the only business membership); NULL when anonymous, not a
member of one, a member of several without the claim, or the claim is not one of its businesses. Never raises, unlike
parties.current_business().';

CREATE FUNCTION parties.my_provider_id()
RETURNS bigint
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT p.id FROM parties.provider p WHERE p.organization_id = identity.acting_organization('PROVIDER', false));
COMMENT ON FUNCTION parties.my_provider_id() IS
'The id of the provider the caller acts for, NULL when none; for row-level security policies.
identity.acting_organization decides (the "org" claim, else the only provider membership); NULL when anonymous, not a
member of one, a member of several without the claim, or the claim is not one of its providers. Never raises, unlike
parties.current_provider().';

GRANT EXECUTE ON FUNCTION parties.my_business_id(), parties.my_provider_id() TO mercato_user, mercato_service;

ALTER TABLE parties.business ENABLE ROW LEVEL SECURITY;
ALTER TABLE parties.provider ENABLE ROW LEVEL SECURITY;
ALTER TABLE parties.trust_score_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE parties.tier_change ENABLE ROW LEVEL SECURITY;
ALTER TABLE parties.tier_candidate ENABLE ROW LEVEL SECURITY;

CREATE POLICY business_service ON parties.business FOR SELECT TO mercato_service USING (true);
CREATE POLICY provider_service ON parties.provider FOR SELECT TO mercato_service USING (true);
CREATE POLICY trust_score_event_service ON parties.trust_score_event FOR SELECT TO mercato_service USING (true);
CREATE POLICY tier_change_service ON parties.tier_change FOR SELECT TO mercato_service USING (true);
CREATE POLICY tier_candidate_service ON parties.tier_candidate FOR SELECT TO mercato_service USING (true);
-- a member sees every business and provider it belongs to (whatever the "org" claim picks for acting)
CREATE POLICY business_own ON parties.business FOR SELECT TO mercato_user
    USING (business.organization_id = ANY ((SELECT identity.my_organization_ids())::bigint[]) OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY provider_own ON parties.provider FOR SELECT TO mercato_user
    USING (provider.organization_id = ANY ((SELECT identity.my_organization_ids())::bigint[]) OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY trust_score_event_own ON parties.trust_score_event FOR SELECT TO mercato_user
    USING (provider_id = (SELECT parties.my_provider_id()) OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY tier_change_own ON parties.tier_change FOR SELECT TO mercato_user
    USING ((party_type = 'PROVIDER' AND party_id = (SELECT parties.my_provider_id()))
           OR (party_type = 'BUSINESS' AND party_id = (SELECT parties.my_business_id()))
           OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY tier_candidate_own ON parties.tier_candidate FOR SELECT TO mercato_user
    USING ((party_type = 'PROVIDER' AND party_id = (SELECT parties.my_provider_id()))
           OR (party_type = 'BUSINESS' AND party_id = (SELECT parties.my_business_id()))
           OR (SELECT parties.is_marketplace_admin()));

GRANT SELECT ON parties.business, parties.provider, parties.trust_score_event, parties.tier_change, parties.tier_candidate
    TO mercato_user;

COMMIT;
