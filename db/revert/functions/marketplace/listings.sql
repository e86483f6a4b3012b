-- Revert mercato:functions/marketplace/listings from pg

BEGIN;

DROP FUNCTION marketplace.open_rfqs(), marketplace.my_rfqs(text), marketplace.get_rfq(bigint);

COMMIT;
