-- Verify mercato:functions/marketplace/bidding on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; the last query
-- divides by zero when an API role may execute one of them (the api wrappers call them as the owner).

BEGIN;

SELECT 'marketplace.submit_bid(bigint, jsonb)'::regprocedure;
SELECT 'marketplace.withdraw_bid(bigint)'::regprocedure;
SELECT 'marketplace.my_bid(bigint)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['marketplace.submit_bid(bigint, jsonb)',
                    'marketplace.withdraw_bid(bigint)',
                    'marketplace.my_bid(bigint)']) AS f;

ROLLBACK;
