-- Verify mercato:functions/api/marketplace on pg

BEGIN;

SELECT 'api.submit_bid(bigint, core.json_doc)'::regprocedure, 'api.verify_code(bigint, core.name_text, core.json_doc)'::regprocedure,
       'api.rfq_bids(bigint)'::regprocedure, 'api.register_business(core.name_text, core.name_text, core.name_text)'::regprocedure;

ROLLBACK;
