-- Verify mercato:functions/marketplace/rfqs on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; the last query
-- divides by zero when an API role may execute one of them (the api wrappers call them as the owner).

BEGIN;

SELECT 'marketplace.require_owner(bigint, text)'::regprocedure;
SELECT 'marketplace.check_rfq_terms(text, date, date, timestamptz, text)'::regprocedure;
SELECT 'marketplace.check_rfq_lines(jsonb)'::regprocedure;
SELECT 'marketplace.add_rfq_lines(bigint, jsonb)'::regprocedure;
SELECT 'marketplace.create_rfq(text, date, date, timestamptz, jsonb, text)'::regprocedure;
SELECT 'marketplace.update_rfq(bigint, text, date, date, timestamptz, jsonb, text)'::regprocedure;
SELECT 'marketplace.publish_rfq(bigint)'::regprocedure;
SELECT 'marketplace.cancel_rfq(bigint)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['marketplace.require_owner(bigint, text)',
                    'marketplace.check_rfq_terms(text, date, date, timestamptz, text)',
                    'marketplace.check_rfq_lines(jsonb)',
                    'marketplace.add_rfq_lines(bigint, jsonb)',
                    'marketplace.create_rfq(text, date, date, timestamptz, jsonb, text)',
                    'marketplace.update_rfq(bigint, text, date, date, timestamptz, jsonb, text)',
                    'marketplace.publish_rfq(bigint)',
                    'marketplace.cancel_rfq(bigint)']) AS f;

ROLLBACK;
