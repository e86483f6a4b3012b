-- Revert mercato:functions/marketplace from pg

BEGIN;

DROP FUNCTION marketplace.award_rfq(bigint, jsonb), marketplace.rfq_bids(bigint), marketplace.my_bid(bigint),
    marketplace.withdraw_bid(bigint), marketplace.submit_bid(bigint, jsonb), marketplace.open_rfqs(),
    marketplace.my_rfqs(text), marketplace.get_rfq(bigint), marketplace.cancel_rfq(bigint), marketplace.publish_rfq(bigint),
    marketplace.create_rfq(text, date, date, timestamptz, jsonb, text);
DROP TRIGGER award_immutable ON marketplace.award;
DROP TRIGGER award_bounds ON marketplace.award;
DROP TRIGGER bid_line_window ON marketplace.bid_line;
DROP TRIGGER bid_revision_window ON marketplace.bid;
DROP TRIGGER bid_window ON marketplace.bid;
DROP TRIGGER bid_tenant ON marketplace.bid;
DROP FUNCTION marketplace.bid_tenant_trg(), marketplace.same_tenant(bigint, bigint);
DROP FUNCTION marketplace.award_bounds_trg(), marketplace.bid_line_window_trg(),
    marketplace.bid_window_trg(), marketplace.check_bid_window(bigint),
    marketplace.require_owner(bigint, text), marketplace.bidder_alias(bytea, bigint);
DELETE FROM core.error WHERE module = 'marketplace';

COMMIT;
