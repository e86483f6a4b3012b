-- Verify mercato:functions/api/marketplace on pg

BEGIN;

SELECT 'api.submit_bid(bigint, jsonb)'::regprocedure, 'api.verify_code(bigint, text, jsonb)'::regprocedure,
       'api.rfq_bids(bigint)'::regprocedure, 'api.register_business(text, text, text)'::regprocedure;

ROLLBACK;
