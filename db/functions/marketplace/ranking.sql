-- Deploy mercato:functions/marketplace/ranking to pg
-- After the deadline: the bids of an RFQ ranked per line under per-RFQ anonymous aliases, for its business or an admin.

BEGIN;

CREATE FUNCTION marketplace.bidder_alias(p_alias_key bytea, p_provider_id bigint)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN 'Bidder ' || upper(left(encode(public.hmac(convert_to(p_provider_id::text, 'UTF8'), p_alias_key, 'sha256'), 'hex'), 8));
COMMENT ON FUNCTION marketplace.bidder_alias(bytea, bigint) IS
'The anonymous name of a provider on one RFQ: HMAC-SHA256 of its id keyed by the RFQ''s secret alias_key. Different
on every RFQ (no linking across RFQs), and not a hash anyone can recompute from the id.';

CREATE FUNCTION marketplace.rfq_bids(p_rfq_id bigint)
RETURNS TABLE (rfq_line_id bigint, line_no smallint, rank bigint, bidder text, unit_price numeric,
               quantity_offered integer, submitted_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq marketplace.rfq;
BEGIN
    SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id;
    IF NOT FOUND OR NOT (parties.is_marketplace_admin()
                         OR parties.acts_for_business(v_rfq.business_id)) THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));
    END IF;
    IF v_rfq.status = 'DRAFT' OR clock_timestamp() < v_rfq.bid_deadline THEN
        PERFORM core.raise('MARKETPLACE_BIDS_SEALED', format('rfq %s: bids open at %s', p_rfq_id, v_rfq.bid_deadline));
    END IF;
    RETURN QUERY
    SELECT l.id, l.line_no,
           rank() OVER (PARTITION BY l.id ORDER BY bl.unit_price, b.submitted_at, b.id),
           marketplace.bidder_alias(v_rfq.alias_key, b.provider_id), bl.unit_price, bl.quantity_offered, b.submitted_at
      FROM marketplace.rfq_line l
      JOIN marketplace.bid_line bl ON bl.rfq_line_id = l.id
      JOIN marketplace.bid b ON b.id = bl.bid_id AND b.status <> 'WITHDRAWN'
     WHERE l.rfq_id = p_rfq_id
     ORDER BY l.line_no, 3;
END
$$;
COMMENT ON FUNCTION marketplace.rfq_bids(bigint) IS
'After the deadline, the RFQ''s business (or an admin) sees the bids ranked per line — by unit price, then submission
time, then bid id (deterministic) — under per-RFQ anonymous aliases, never provider ids. Before the deadline the answer
is MARKETPLACE_BIDS_SEALED whether or not there are bids. Errors: MARKETPLACE_UNKNOWN_RFQ, MARKETPLACE_BIDS_SEALED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
