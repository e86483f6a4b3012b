-- Verify mercato:functions/marketplace/ranking on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; the last query
-- divides by zero when an API role may execute one of them (the api wrappers call them as the owner).

BEGIN;

SELECT 'marketplace.bidder_alias(bytea, bigint)'::regprocedure;
SELECT 'marketplace.rfq_bids(bigint)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['marketplace.bidder_alias(bytea, bigint)',
                    'marketplace.rfq_bids(bigint)']) AS f;

ROLLBACK;
