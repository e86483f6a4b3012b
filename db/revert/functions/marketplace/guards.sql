-- Revert mercato:functions/marketplace/guards from pg

BEGIN;

DROP TRIGGER award_immutable ON marketplace.award;
DROP TRIGGER award_bounds ON marketplace.award;
DROP FUNCTION marketplace.award_bounds_trg();
DROP TRIGGER bid_tenant ON marketplace.bid;
DROP FUNCTION marketplace.bid_tenant_trg(), marketplace.same_tenant(bigint, bigint);
DROP TRIGGER bid_line_window ON marketplace.bid_line;
DROP TRIGGER bid_revision_window ON marketplace.bid;
DROP TRIGGER bid_window ON marketplace.bid;
DROP TRIGGER rfq_line_draft ON marketplace.rfq_line;
DROP FUNCTION marketplace.rfq_line_draft_trg();
DROP TRIGGER rfq_terms_frozen ON marketplace.rfq;
DROP FUNCTION marketplace.bid_line_window_trg(), marketplace.bid_window_trg(), marketplace.check_bid_window(bigint),
    marketplace.is_bulk_load();

COMMIT;
