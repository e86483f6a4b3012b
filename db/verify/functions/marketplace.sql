-- Verify mercato:functions/marketplace on pg

BEGIN;

SELECT 'marketplace.create_rfq(text, date, date, timestamptz, jsonb, text)'::regprocedure,
       'marketplace.submit_bid(bigint, jsonb)'::regprocedure, 'marketplace.rfq_bids(bigint)'::regprocedure,
       'marketplace.award_rfq(bigint, jsonb)'::regprocedure;
SELECT 1 / count(*)::int FROM pg_trigger WHERE tgname = 'bid_line_window';
SELECT 1 / count(*)::int FROM pg_trigger WHERE tgname = 'bid_tenant';

ROLLBACK;
