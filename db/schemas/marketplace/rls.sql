-- Deploy mercato:schemas/marketplace/rls to pg
-- Row-level security on RFQs, bids and awards. Sealed bids: a bid row is visible to the provider who made it and to
-- nobody else through any API role — not the business, not an admin, not the back office; after the deadline the
-- business learns about bids only through marketplace.rfq_bids (ranked, under per-RFQ aliases). A business sees its
-- own RFQs, lines, awards and quota; a provider sees RFQs of its tenant while they are open and those it bid on; the
-- back office sees RFQs, lines, awards and quotas. rfq.alias_key (the alias secret) is readable by no API role.

BEGIN;

ALTER TABLE marketplace.rfq ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.rfq_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.bid ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.bid_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.award ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.rfq_quota ENABLE ROW LEVEL SECURITY;

CREATE POLICY rfq_service ON marketplace.rfq FOR SELECT TO mercato_service USING (true);
CREATE POLICY rfq_line_service ON marketplace.rfq_line FOR SELECT TO mercato_service USING (true);
CREATE POLICY award_service ON marketplace.award FOR SELECT TO mercato_service USING (true);
CREATE POLICY rfq_quota_service ON marketplace.rfq_quota FOR SELECT TO mercato_service USING (true);

CREATE POLICY rfq_visible ON marketplace.rfq FOR SELECT TO mercato_user
    USING (business_id = (SELECT identity.my_business_id())
           OR (status = 'PUBLISHED' AND (SELECT identity.my_provider_id()) IS NOT NULL
               AND marketplace.same_tenant(id, (SELECT identity.my_provider_id())))
           OR EXISTS (SELECT 1 FROM marketplace.bid b WHERE b.rfq_id = id));       -- the bid policy: own bids only
CREATE POLICY rfq_line_visible ON marketplace.rfq_line FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM marketplace.rfq r WHERE r.id = rfq_id));          -- the rfq policy decides
CREATE POLICY bid_own ON marketplace.bid FOR SELECT TO mercato_user
    USING (provider_id = (SELECT identity.my_provider_id()));
CREATE POLICY bid_line_own ON marketplace.bid_line FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM marketplace.bid b WHERE b.id = bid_id));          -- the bid policy decides
CREATE POLICY award_party ON marketplace.award FOR SELECT TO mercato_user
    USING (provider_id = (SELECT identity.my_provider_id())
           OR EXISTS (SELECT 1 FROM marketplace.rfq r WHERE r.id = rfq_id AND r.business_id = (SELECT identity.my_business_id())));
CREATE POLICY rfq_quota_own ON marketplace.rfq_quota FOR SELECT TO mercato_user
    USING (business_id = (SELECT identity.my_business_id()));

GRANT EXECUTE ON FUNCTION marketplace.same_tenant(bigint, bigint) TO mercato_user;

-- Column privileges: every rfq column but alias_key.
GRANT SELECT (id, business_id, title, description, currency, start_date, end_date, bid_deadline, status, published_at,
              awarded_at, created_at, updated_at) ON marketplace.rfq TO mercato_user, mercato_service;
GRANT SELECT ON marketplace.rfq_line, marketplace.award, marketplace.rfq_quota TO mercato_user, mercato_service;
GRANT SELECT ON marketplace.bid, marketplace.bid_line TO mercato_user;

COMMIT;
