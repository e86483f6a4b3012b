-- Verify mercato:functions/masterdata/marketplace on pg
-- Existence and privileges only. Fails when any function, the commission rule trigger or an error code of the change
-- is missing (the regprocedure cast raises; division by zero), when the trigger is disabled, or when an API role may
-- execute one of the functions (division by zero): the api wrappers call them as the owner.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['masterdata.commission_terms(text, text, timestamptz)'::regprocedure,
                    'masterdata.add_commission_strategy(timestamptz, jsonb, text)'::regprocedure,
                    'masterdata.business_tier_quota(text, timestamptz)'::regprocedure,
                    'masterdata.commission_rule_valid_trg()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = 'commission_rule_valid' AND t.tgrelid = 'masterdata.commission_rule'::regclass
               AND t.tgfoid = 'masterdata.commission_rule_valid_trg()'::regprocedure AND t.tgenabled <> 'D')::int;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['MASTERDATA_RULES_INVALID', 'MASTERDATA_NO_COMMISSION_RULE', 'MASTERDATA_COMMISSION_RULE_INVALID']) c;

ROLLBACK;
