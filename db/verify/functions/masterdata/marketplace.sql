-- Verify mercato:functions/masterdata/marketplace on pg

BEGIN;

SELECT 'masterdata.commission_terms(text, text, timestamptz)'::regprocedure,
       'masterdata.add_commission_strategy(timestamptz, jsonb, text)'::regprocedure,
       'masterdata.business_tier_quota(text, timestamptz)'::regprocedure;

ROLLBACK;
