-- Deploy mercato:functions/marketplace/awards to pg
-- After the deadline the business awards quantities to bids by their aliases, splitting lines if it likes; the RFQ
-- becomes AWARDED and the bids AWARDED or LOST. The guards check the awards again for every writer.

BEGIN;

CREATE FUNCTION marketplace.award_rfq(p_rfq_id bigint, p_awards jsonb)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq     marketplace.rfq := marketplace.require_owner(p_rfq_id, 'UPDATE');
    v_bad     text;
    v_count   integer;
    v_n       bigint[];
    v_line    bigint[];
    v_bid     bigint[];
    v_prov    bigint[];
    v_qty     integer[];
    v_price   numeric[];
    v_offered integer[];
BEGIN
    IF NOT parties.is_marketplace_admin() AND NOT parties.acts_for_business(v_rfq.business_id, 'ADMIN') THEN
        PERFORM core.raise('IDENTITY_ORG_ROLE_REQUIRED', format('rfq %s: an ADMIN or OWNER of its business awards it', p_rfq_id));
    END IF;
    IF v_rfq.status <> 'PUBLISHED' THEN
        PERFORM core.raise('MARKETPLACE_INVALID_STATE', format('rfq %s is %s', p_rfq_id, v_rfq.status));
    ELSIF clock_timestamp() < v_rfq.bid_deadline THEN
        PERFORM core.raise('MARKETPLACE_BIDS_SEALED', format('rfq %s: bidding runs until %s', p_rfq_id, v_rfq.bid_deadline));
    ELSIF p_awards IS NULL OR jsonb_typeof(p_awards) <> 'array' OR jsonb_array_length(p_awards) NOT BETWEEN 1 AND 1000
          OR jsonb_path_exists(p_awards, 'strict $[*] ? (@.type() != "object")') THEN
        PERFORM core.raise('MARKETPLACE_INVALID_AWARD', 'p_awards must be an array of {rfq_line_id, bidder, quantity}',
                           'bidder is the alias shown by marketplace.rfq_bids, e.g. "Bidder 3F2A91C0"');
    END IF;
    SELECT array_agg(x.n ORDER BY x.n), array_agg(l.id ORDER BY x.n), array_agg(b.id ORDER BY x.n),
           array_agg(b.provider_id ORDER BY x.n),
           array_agg(CASE WHEN (x.a ->> 'quantity') ~ '^[0-9]{1,9}$' THEN (x.a ->> 'quantity')::integer END ORDER BY x.n),
           array_agg(bl.unit_price ORDER BY x.n), array_agg(bl.quantity_offered ORDER BY x.n)
      INTO v_n, v_line, v_bid, v_prov, v_qty, v_price, v_offered
      FROM jsonb_array_elements(p_awards) WITH ORDINALITY AS x(a, n)
      LEFT JOIN marketplace.rfq_line l ON l.rfq_id = p_rfq_id AND (x.a ->> 'rfq_line_id') ~ '^[0-9]{1,18}$'
                                      AND l.id = (x.a ->> 'rfq_line_id')::bigint
      LEFT JOIN marketplace.bid b ON b.rfq_id = p_rfq_id AND b.status = 'SUBMITTED'
                                 AND marketplace.bidder_alias(v_rfq.alias_key, b.provider_id) = x.a ->> 'bidder'
      LEFT JOIN marketplace.bid_line bl ON bl.bid_id = b.id AND bl.rfq_line_id = l.id;
    SELECT format('award %s: %s', r.n, left((p_awards -> (r.n::integer - 1))::text, 200)) INTO v_bad
      FROM unnest(v_n, v_line, v_bid, v_qty, v_price) AS r(n, line_id, bid_id, quantity, unit_price)
     WHERE r.line_id IS NULL OR r.bid_id IS NULL OR r.unit_price IS NULL OR r.quantity IS NULL OR r.quantity < 1
     ORDER BY r.n LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('MARKETPLACE_INVALID_AWARD', v_bad,
                           'each award names a line of this RFQ, a bidder alias that priced that line, and a quantity >= 1');
    END IF;
    SELECT format('line %s, bid %s: awarded twice', r.line_id, r.bid_id) INTO v_bad
      FROM unnest(v_line, v_bid) AS r(line_id, bid_id) GROUP BY r.line_id, r.bid_id HAVING count(*) > 1 LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('MARKETPLACE_INVALID_AWARD', v_bad);
    END IF;
    SELECT format('line %s: %s awarded, %s requested', l.id, sum(r.quantity), l.quantity_required) INTO v_bad
      FROM unnest(v_line, v_qty) AS r(line_id, quantity) JOIN marketplace.rfq_line l ON l.id = r.line_id
     GROUP BY l.id, l.quantity_required HAVING sum(r.quantity) > l.quantity_required LIMIT 1;
    IF v_bad IS NULL THEN
        SELECT format('line %s: %s awarded to a bid offering %s', r.line_id, r.quantity, r.offered) INTO v_bad
          FROM unnest(v_line, v_qty, v_offered) AS r(line_id, quantity, offered) WHERE r.quantity > r.offered LIMIT 1;
    END IF;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('MARKETPLACE_AWARD_EXCEEDS', v_bad);
    END IF;
    INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price)
    SELECT p_rfq_id, r.line_id, r.bid_id, r.provider_id, r.quantity, r.unit_price
      FROM unnest(v_n, v_line, v_bid, v_prov, v_qty, v_price) AS r(n, line_id, bid_id, provider_id, quantity, unit_price)
     ORDER BY r.n;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    UPDATE marketplace.bid b SET status = CASE WHEN EXISTS (SELECT 1 FROM marketplace.award a WHERE a.bid_id = b.id)
                                               THEN 'AWARDED' ELSE 'LOST' END, updated_at = clock_timestamp()
     WHERE b.rfq_id = p_rfq_id AND b.status = 'SUBMITTED';
    UPDATE marketplace.rfq SET status = 'AWARDED', awarded_at = now(), updated_at = now() WHERE id = p_rfq_id;
    PERFORM audit.record('marketplace', 'rfq', p_rfq_id::text, 'AWARDED', NULL, jsonb_build_object('awards', v_count));
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION marketplace.award_rfq(bigint, jsonb) IS
'After the deadline the RFQ''s business awards quantities to bids, by the aliases marketplace.rfq_bids shows:
p_awards = [{"rfq_line_id", "bidder", "quantity"}]; a line may be split across several bids. Never beyond the quantity
requested per line nor the quantity offered per bid (checked here and again by a trigger on the awards). The RFQ
becomes AWARDED, the bids AWARDED or LOST; contracts.create_contract then makes the contract. Returns the number of
awards. Errors: MARKETPLACE_UNKNOWN_RFQ, MARKETPLACE_INVALID_STATE, MARKETPLACE_BIDS_SEALED, MARKETPLACE_INVALID_AWARD,
MARKETPLACE_AWARD_EXCEEDS. Locks the RFQ FOR UPDATE (waits for bids in flight). Assumes READ COMMITTED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
