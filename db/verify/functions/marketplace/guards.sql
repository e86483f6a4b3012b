-- Verify mercato:functions/marketplace/guards on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; each trigger count
-- divides by zero when the trigger is missing or disabled; the last query divides by zero when an
-- API role may execute one of them (the api wrappers call them as the owner).

BEGIN;

SELECT 'marketplace.is_bulk_load()'::regprocedure;
SELECT 'marketplace.check_bid_window(bigint)'::regprocedure;
SELECT 'marketplace.bid_window_trg()'::regprocedure;
SELECT 'marketplace.bid_line_window_trg()'::regprocedure;
SELECT 'marketplace.rfq_line_draft_trg()'::regprocedure;
SELECT 'marketplace.same_tenant(bigint, bigint)'::regprocedure;
SELECT 'marketplace.bid_tenant_trg()'::regprocedure;
SELECT 'marketplace.award_bounds_trg()'::regprocedure;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.bid'::regclass AND tgname = 'bid_window' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.bid'::regclass AND tgname = 'bid_revision_window' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.bid_line'::regclass AND tgname = 'bid_line_window' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.rfq'::regclass AND tgname = 'rfq_terms_frozen' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.rfq_line'::regclass AND tgname = 'rfq_line_draft' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.bid'::regclass AND tgname = 'bid_tenant' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.award'::regclass AND tgname = 'award_bounds' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'marketplace.award'::regclass AND tgname = 'award_immutable' AND tgenabled <> 'D';
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['marketplace.is_bulk_load()',
                    'marketplace.check_bid_window(bigint)',
                    'marketplace.bid_window_trg()',
                    'marketplace.bid_line_window_trg()',
                    'marketplace.rfq_line_draft_trg()',
                    'marketplace.same_tenant(bigint, bigint)',
                    'marketplace.bid_tenant_trg()',
                    'marketplace.award_bounds_trg()']) AS f;

ROLLBACK;
