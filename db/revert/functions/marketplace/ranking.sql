-- Revert mercato:functions/marketplace/ranking from pg

BEGIN;

DROP FUNCTION marketplace.rfq_bids(bigint), marketplace.bidder_alias(bytea, bigint);

COMMIT;
