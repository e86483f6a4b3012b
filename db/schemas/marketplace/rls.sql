-- Deploy mercato:schemas/marketplace/rls to pg
-- Row-level security on RFQs, lines and quotas; sealed reads of bids and awards. A business sees its own RFQs, lines,
-- awards and quota; a provider sees the PUBLISHED RFQs of its tenant and those it bid on; the back office sees RFQs,
-- lines, awards and quotas. rfq.alias_key (the alias secret) is readable by no API role.
--
-- Bids and awards are SEALED (core.secret): no API role holds any privilege on marketplace.bid, bid_line or award,
-- so neither a query nor its EXPLAIN (ANALYZE) can touch another party's row — a row filter would still walk the
-- competing rows and count them ("Rows Removed by Filter"). They are read only through the SECURITY DEFINER functions
-- below, which select the caller's rows first; their plans are invisible to the caller.

BEGIN;

CREATE FUNCTION marketplace.my_bid_rfq_ids()
RETURNS bigint[]
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT coalesce(array_agg(b.rfq_id ORDER BY b.rfq_id), '{}')
          FROM marketplace.bid b WHERE b.provider_id = parties.my_provider_id());
COMMENT ON FUNCTION marketplace.my_bid_rfq_ids() IS
'The ids of the RFQs the calling provider has bid on (empty for anyone else). For the rfq policy: a provider keeps
seeing an RFQ it bid on after bidding closes. Reads the caller''s own bids only (index on provider_id).';

CREATE FUNCTION marketplace.visible_bid_lines()
RETURNS TABLE (bid_id bigint, rfq_id bigint, status text, revision integer, submitted_at timestamptz,
               rfq_line_id bigint, unit_price numeric, quantity_offered integer)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT b.id, b.rfq_id, b.status, b.revision, b.submitted_at, l.rfq_line_id, l.unit_price, l.quantity_offered
      FROM marketplace.bid b JOIN marketplace.bid_line l ON l.bid_id = b.id
     WHERE b.provider_id = parties.my_provider_id()
     ORDER BY b.id, l.rfq_line_id;
END;
COMMENT ON FUNCTION marketplace.visible_bid_lines() IS
'The calling provider''s own bids, one row per priced line; nothing for anyone else (a business, an admin, the back
office). Sealed read behind api.bids: it selects the caller''s bids by provider_id before it touches a price.';

CREATE FUNCTION marketplace.visible_awards()
RETURNS TABLE (id bigint, rfq_id bigint, rfq_line_id bigint, provider_id bigint, quantity_awarded integer,
               unit_price numeric, awarded_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT a.id, a.rfq_id, a.rfq_line_id, a.provider_id, a.quantity_awarded, a.unit_price, a.awarded_at
      FROM marketplace.award a
     WHERE a.provider_id = parties.my_provider_id()
    UNION ALL
    SELECT a.id, a.rfq_id, a.rfq_line_id, a.provider_id, a.quantity_awarded, a.unit_price, a.awarded_at
      FROM marketplace.rfq r JOIN marketplace.award a ON a.rfq_id = r.id
     WHERE r.business_id = parties.my_business_id()
    UNION ALL
    SELECT a.id, a.rfq_id, a.rfq_line_id, a.provider_id, a.quantity_awarded, a.unit_price, a.awarded_at
      FROM marketplace.award a
     WHERE identity.is_service();
END;
COMMENT ON FUNCTION marketplace.visible_awards() IS
'Awards the caller may see: a provider its own, a business those of its RFQs, the back office all. Never another
provider''s award (its unit price is that provider''s price). Sealed read behind api.awards.';

CREATE FUNCTION marketplace.open_to_me(p_rfq_id bigint)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN EXISTS (SELECT 1 FROM marketplace.rfq r
                WHERE r.id = p_rfq_id AND r.status = 'PUBLISHED' AND parties.my_provider_id() IS NOT NULL
                  AND marketplace.same_tenant(r.id, parties.my_provider_id()));
COMMENT ON FUNCTION marketplace.open_to_me(bigint) IS
'True when the RFQ is PUBLISHED and the caller is a provider of its tenant (a marketplace never crosses tenants). For
the rfq policy: it answers only what the policy then shows, about the caller''s own provider (unlike
marketplace.same_tenant, which takes any provider and stays internal).';

GRANT EXECUTE ON FUNCTION marketplace.my_bid_rfq_ids(), marketplace.visible_bid_lines(), marketplace.visible_awards(),
    marketplace.open_to_me(bigint)
    TO mercato_user, mercato_service;

ALTER TABLE marketplace.rfq ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.rfq_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE marketplace.bid ENABLE ROW LEVEL SECURITY;        -- sealed: no policy, no privilege
ALTER TABLE marketplace.bid_line ENABLE ROW LEVEL SECURITY;   -- sealed: no policy, no privilege
ALTER TABLE marketplace.award ENABLE ROW LEVEL SECURITY;      -- sealed: no policy, no privilege
ALTER TABLE marketplace.rfq_quota ENABLE ROW LEVEL SECURITY;

CREATE POLICY rfq_service ON marketplace.rfq FOR SELECT TO mercato_service USING (true);
CREATE POLICY rfq_line_service ON marketplace.rfq_line FOR SELECT TO mercato_service USING (true);
CREATE POLICY rfq_quota_service ON marketplace.rfq_quota FOR SELECT TO mercato_service USING (true);

-- Every column reference is qualified with its table: an unqualified name inside a subquery binds to the subquery's
-- own table first (rfq.id read as b.id once made every RFQ visible to providers).
CREATE POLICY rfq_visible ON marketplace.rfq FOR SELECT TO mercato_user
    USING (rfq.business_id = (SELECT parties.my_business_id())
           OR (rfq.status = 'PUBLISHED' AND (SELECT parties.my_provider_id()) IS NOT NULL AND marketplace.open_to_me(rfq.id))
           OR rfq.id = ANY ((SELECT marketplace.my_bid_rfq_ids())::bigint[]));
CREATE POLICY rfq_line_visible ON marketplace.rfq_line FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM marketplace.rfq r WHERE r.id = rfq_line.rfq_id));   -- the rfq policy decides
CREATE POLICY rfq_quota_own ON marketplace.rfq_quota FOR SELECT TO mercato_user
    USING (rfq_quota.business_id = (SELECT parties.my_business_id()));

-- Column privileges: every rfq column but alias_key.
GRANT SELECT (id, business_id, title, description, currency, start_date, end_date, bid_deadline, status, published_at,
              awarded_at, created_at, updated_at) ON marketplace.rfq TO mercato_user, mercato_service;
GRANT SELECT ON marketplace.rfq_line, marketplace.rfq_quota TO mercato_user, mercato_service;

COMMIT;
