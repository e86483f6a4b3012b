-- Verify mercato:schemas/parties on pg

BEGIN;

SELECT id, user_id, organization_id, tenant_id, name, business_type, tin_number, kyb_status, tier_code, tier_since, wallet_account_id
  FROM parties.business WHERE false;
SELECT id, user_id, organization_id, tenant_id, provider_type, name, tin_number, verification_status, trust_score, tier_code, tier_since,
       wallet_account_id FROM parties.provider WHERE false;
SELECT id, provider_id, target, old_score, new_score, reason, inputs, created_at, applied_at FROM parties.trust_score_event WHERE false;
SELECT id, party_type, party_id, old_tier, new_tier, policy_version_id, inputs FROM parties.tier_change WHERE false;
SELECT party_type, party_id, qualified_tier, since FROM parties.tier_candidate WHERE false;
SELECT 1 / (count(*) = 2)::int FROM identity.organization_kind WHERE code IN ('BUSINESS', 'PROVIDER');
SELECT 1 / (NOT has_schema_privilege('public', 'parties', 'USAGE') AND has_schema_privilege('mercato_user', 'parties', 'USAGE'))::int;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- the relations it grants to API roles
SELECT 1 / pg_catalog.has_table_privilege(x.role, x.t, x.priv)::int
  FROM (VALUES ('parties.business', 'mercato_service', 'SELECT'),
               ('parties.provider', 'mercato_service', 'SELECT'),
               ('parties.tier_candidate', 'mercato_service', 'SELECT'),
               ('parties.tier_change', 'mercato_service', 'SELECT'),
               ('parties.trust_score_event', 'mercato_service', 'SELECT')) AS x(t, role, priv);
-- its triggers, each present and enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = x.tab::regclass AND t.tgname = x.name AND t.tgenabled <> 'D')::int
  FROM (VALUES ('parties.business', 'business_audit'),
               ('parties.provider', 'provider_audit')) AS x(tab, name);
SELECT created_at, metadata, updated_at FROM parties.business WHERE false;
SELECT created_at, metadata, updated_at FROM parties.provider WHERE false;
SELECT created_at FROM parties.tier_change WHERE false;

ROLLBACK;
