-- Verify mercato:schemas/masterdata/marketplace on pg

BEGIN;

SELECT code, name, rank, is_default FROM masterdata.provider_tier WHERE false;
SELECT code, name, rank, is_default FROM masterdata.business_tier WHERE false;
SELECT policy_version_id, tier_code, min_trust_score, max_trust_score, min_active_vehicles FROM masterdata.provider_tier_rule WHERE false;
SELECT policy_version_id, tier_code, min_completed_contracts, min_active_fleet, max_rfqs_per_month FROM masterdata.business_tier_rule WHERE false;
SELECT policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount, minimum_share
  FROM masterdata.commission_rule WHERE false;
SELECT 1 / (count(*) = 4)::int FROM masterdata.provider_tier;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions, which no API role executes (what a caller needs has an api entry point)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['masterdata.rule_immutable_trg()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- the relations it grants to API roles
SELECT 1 / pg_catalog.has_table_privilege(x.role, x.t, x.priv)::int
  FROM (VALUES ('masterdata.business_tier', 'mercato_anon', 'SELECT'),
               ('masterdata.business_tier', 'mercato_service', 'SELECT'),
               ('masterdata.business_tier', 'mercato_user', 'SELECT'),
               ('masterdata.business_tier_rule', 'mercato_anon', 'SELECT'),
               ('masterdata.business_tier_rule', 'mercato_service', 'SELECT'),
               ('masterdata.business_tier_rule', 'mercato_user', 'SELECT'),
               ('masterdata.commission_rule', 'mercato_anon', 'SELECT'),
               ('masterdata.commission_rule', 'mercato_service', 'SELECT'),
               ('masterdata.commission_rule', 'mercato_user', 'SELECT'),
               ('masterdata.provider_tier', 'mercato_anon', 'SELECT'),
               ('masterdata.provider_tier', 'mercato_service', 'SELECT'),
               ('masterdata.provider_tier', 'mercato_user', 'SELECT'),
               ('masterdata.provider_tier_rule', 'mercato_anon', 'SELECT'),
               ('masterdata.provider_tier_rule', 'mercato_service', 'SELECT'),
               ('masterdata.provider_tier_rule', 'mercato_user', 'SELECT')) AS x(t, role, priv);
-- its triggers, each present and enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = x.tab::regclass AND t.tgname = x.name AND t.tgenabled <> 'D')::int
  FROM (VALUES ('masterdata.business_tier_rule', 'business_tier_rule_immutable'),
               ('masterdata.commission_rule', 'commission_rule_immutable'),
               ('masterdata.provider_tier_rule', 'provider_tier_rule_immutable')) AS x(tab, name);
-- its error codes
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['MASTERDATA_RULE_IMMUTABLE']) AS c;

ROLLBACK;
