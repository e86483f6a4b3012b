-- Deploy mercato:functions/marketplace/listings to pg
-- Who sees which RFQ: one RFQ with its lines (its business in any state, providers of its tenant while published),
-- a business's own RFQs, the RFQs open for bidding in a provider's tenant. Nothing about bids before the deadline.

BEGIN;

CREATE FUNCTION marketplace.get_rfq(p_rfq_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq   marketplace.rfq;
    v_owner boolean;
BEGIN
    SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id;
    v_owner := FOUND AND (parties.is_marketplace_admin()
                          OR parties.acts_for_business(v_rfq.business_id));
    IF NOT FOUND OR NOT (v_owner OR (v_rfq.status = 'PUBLISHED'
                                     AND parties.my_provider_id() IS NOT NULL
                                     AND marketplace.same_tenant(p_rfq_id, parties.my_provider_id()))) THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));
    END IF;
    RETURN jsonb_build_object(
        'id', v_rfq.id, 'title', v_rfq.title, 'description', v_rfq.description, 'currency', v_rfq.currency,
        'start_date', v_rfq.start_date, 'end_date', v_rfq.end_date, 'bid_deadline', v_rfq.bid_deadline,
        'status', v_rfq.status, 'published_at', v_rfq.published_at, 'awarded_at', v_rfq.awarded_at,
        'lines', (SELECT jsonb_agg(jsonb_build_object('rfq_line_id', l.id, 'line_no', l.line_no, 'vehicle_type', l.vehicle_type,
                                                      'engine_type', l.engine_type, 'quantity', l.quantity_required,
                                                      'with_driver', l.with_driver, 'notes', l.notes) ORDER BY l.line_no)
                    FROM marketplace.rfq_line l WHERE l.rfq_id = p_rfq_id),
        -- Only the owner, and only once bidding has closed, learns how many bids there are.
        'bids', CASE WHEN v_owner AND clock_timestamp() >= v_rfq.bid_deadline
                     THEN (SELECT count(*) FROM marketplace.bid b WHERE b.rfq_id = p_rfq_id AND b.status <> 'WITHDRAWN') END);
END
$$;
COMMENT ON FUNCTION marketplace.get_rfq(bigint) IS
'One RFQ with its lines: for its business (or an admin) in any state, for providers of its tenant while PUBLISHED. "bids" (the number
of bids) is given to the business only after the deadline, and is null before — for every RFQ alike.
Errors: MARKETPLACE_UNKNOWN_RFQ.';

CREATE FUNCTION marketplace.my_rfqs(p_status text DEFAULT NULL)
RETURNS TABLE (rfq_id bigint, title text, status text, start_date date, end_date date, bid_deadline timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.id, r.title, r.status, r.start_date, r.end_date, r.bid_deadline
      FROM marketplace.rfq r
     WHERE r.business_id = (parties.current_business()).id AND (p_status IS NULL OR r.status = p_status)
     ORDER BY r.id DESC;
END;
COMMENT ON FUNCTION marketplace.my_rfqs(text) IS 'The calling business''s RFQs, newest first. Error: IDENTITY_NOT_A_BUSINESS.';

CREATE FUNCTION marketplace.open_rfqs()
RETURNS TABLE (rfq_id bigint, title text, currency text, start_date date, end_date date, bid_deadline timestamptz,
               lines jsonb)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
BEGIN
    RETURN QUERY
    SELECT r.id, r.title, r.currency::text, r.start_date, r.end_date, r.bid_deadline,
           (SELECT jsonb_agg(jsonb_build_object('rfq_line_id', l.id, 'line_no', l.line_no, 'vehicle_type', l.vehicle_type,
                                                'engine_type', l.engine_type, 'quantity', l.quantity_required,
                                                'with_driver', l.with_driver) ORDER BY l.line_no)
              FROM marketplace.rfq_line l WHERE l.rfq_id = r.id)
      FROM marketplace.rfq r
      JOIN parties.business b ON b.id = r.business_id
     WHERE r.status = 'PUBLISHED' AND r.bid_deadline > clock_timestamp()
       AND b.tenant_id IS NOT DISTINCT FROM v_provider.tenant_id
     ORDER BY r.bid_deadline, r.id;
END
$$;
COMMENT ON FUNCTION marketplace.open_rfqs() IS
'RFQs open for bidding (PUBLISHED, deadline in the future) in the provider''s tenant, soonest deadline first, with their
lines and nothing about other bids. Caller: a provider. Error: IDENTITY_NOT_A_PROVIDER.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
