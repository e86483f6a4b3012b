-- Revert mercato:functions/marketplace/bidding from pg

BEGIN;

DROP FUNCTION marketplace.my_bid(bigint), marketplace.withdraw_bid(bigint), marketplace.submit_bid(bigint, jsonb);

COMMIT;
