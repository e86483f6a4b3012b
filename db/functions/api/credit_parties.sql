-- Deploy mercato:functions/api/credit_parties to pg
-- The HTTP API of the credit product's parties (functions/credit/parties, functions/credit/risk).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.register_vendor(p_name core.name_text, p_vendor_code core.name_text,
                                               p_state_code core.name_text, p_msme_category core.name_text DEFAULT 'NONE',
                                               p_currency core.name_text DEFAULT 'INR')
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN credit.register_vendor(p_name, p_vendor_code, p_state_code, p_msme_category, p_currency);
SELECT core.wrap('api.register_vendor(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text)',
                 'credit.register_vendor(text, text, text, text, text)',
                 'A signed-in user (it becomes the vendor''s OWNER).', 'mercato_user');

CREATE OR REPLACE FUNCTION api.register_retailer(p_name core.name_text, p_state_code core.name_text)
RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN credit.register_retailer(p_name, p_state_code);
SELECT core.wrap('api.register_retailer(core.name_text, core.name_text)', 'credit.register_retailer(text, text)',
                 'A signed-in user (it becomes the retailer''s OWNER).', 'mercato_user');

CREATE OR REPLACE FUNCTION api.approve_vendor(p_vendor_id bigint, p_exposure_cap numeric)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT credit.approve_vendor(p_vendor_id, p_exposure_cap);
END;
SELECT core.wrap('api.approve_vendor(bigint, numeric)', 'credit.approve_vendor(bigint, numeric)',
                 'The credit back office (credit.manage); service.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.reject_vendor(p_vendor_id bigint, p_reason core.long_text)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT credit.reject_vendor(p_vendor_id, p_reason);
END;
SELECT core.wrap('api.reject_vendor(bigint, core.long_text)', 'credit.reject_vendor(bigint, text)',
                 'The credit back office (credit.manage); service.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_retailer_score(p_retailer_id bigint, p_score integer, p_note core.long_text DEFAULT '',
                                                  p_inputs core.json_doc DEFAULT '{}')
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT credit.set_retailer_score(p_retailer_id, p_score, p_note, p_inputs);
END;
SELECT core.wrap('api.set_retailer_score(bigint, integer, core.long_text, core.json_doc)',
                 'credit.set_retailer_score(bigint, integer, text, jsonb)',
                 'The credit back office (credit.manage); service (the scoring job).', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.credit_vendors(p_status core.name_text DEFAULT NULL)
RETURNS TABLE (vendor_id bigint, name text, vendor_code text, status text, reason text, decided_by bigint,
               decided_at timestamptz, currency text, exposure_cap numeric, msme_category text, state_code text,
               created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT v.vendor_id, v.name, v.vendor_code, v.status, v.reason, v.decided_by, v.decided_at, v.currency,
           v.exposure_cap, v.msme_category, v.state_code, v.created_at
      FROM credit.vendors(p_status) v;
END;
SELECT core.wrap('api.credit_vendors(core.name_text)', 'credit.vendors(text)',
                 'A signed-in user (the vendors it acts for); the credit back office (all).', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.credit_retailers()
RETURNS TABLE (retailer_id bigint, name text, score smallint, scored_at timestamptz, risk_category text,
               last_order_at timestamptz, state_code text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.retailer_id, r.name, r.score, r.scored_at, r.risk_category, r.last_order_at, r.state_code, r.created_at
      FROM credit.retailers() r;
END;
SELECT core.wrap('api.credit_retailers()', 'credit.retailers()',
                 'A signed-in user (the retailers it acts for); the credit back office (all).', 'mercato_user',
                 'mercato_service');

CREATE OR REPLACE FUNCTION api.credit_risk_band(p_score integer, p_currency core.name_text DEFAULT NULL)
RETURNS TABLE (category text, min_score integer, max_score integer, max_limit numeric, policy_version integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT b.category, b.min_score, b.max_score, b.max_limit, b.policy_version FROM credit.risk_band(p_score, p_currency) b;
END;
SELECT core.wrap('api.credit_risk_band(integer, core.name_text)', 'credit.risk_band(integer, text, timestamptz)',
                 'Any signed-in user; service.', 'mercato_user', 'mercato_service');

COMMIT;
