-- Deploy mercato:functions/marketplace/bidding to pg
-- The provider side: submit or revise a sealed bid before the deadline (database clock), withdraw it, read one's own.
-- The window and the tenant are checked here under the RFQ row lock and again, for every writer, by the guards.

BEGIN;

CREATE FUNCTION marketplace.submit_bid(p_rfq_id bigint, p_lines jsonb)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
    v_rfq      marketplace.rfq;
    v_units    smallint;
    v_bad      text;
    v_bid      marketplace.bid;
    v_same     boolean;
    v_new      boolean := false;
BEGIN
    IF v_provider.verification_status <> 'VERIFIED' THEN
        PERFORM core.raise('MARKETPLACE_PROVIDER_NOT_VERIFIED', format('provider %s is %s', v_provider.id, v_provider.verification_status));
    END IF;
    SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id FOR SHARE;
    IF NOT FOUND OR v_rfq.status = 'DRAFT' OR NOT marketplace.same_tenant(p_rfq_id, v_provider.id) THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));
    ELSIF v_rfq.status <> 'PUBLISHED' OR clock_timestamp() >= v_rfq.bid_deadline THEN
        PERFORM core.raise('MARKETPLACE_BIDDING_CLOSED', format('rfq %s: deadline %s, now %s', p_rfq_id, v_rfq.bid_deadline, clock_timestamp()));
    END IF;
    IF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) NOT BETWEEN 1 AND 200
       OR jsonb_path_exists(p_lines, 'strict $[*] ? (@.type() != "object")') THEN
        PERFORM core.raise('MARKETPLACE_INVALID_BID', 'p_lines must be an array of {rfq_line_id, unit_price, quantity}',
                           'unit_price is per vehicle per day, e.g. {"rfq_line_id": 7, "unit_price": "1500.00", "quantity": 2}');
    END IF;
    v_units := masterdata.currency_minor_units(v_rfq.currency);
    SELECT format('line %s: %s', x.n, left(x.l::text, 200)) INTO v_bad
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(l, n)
      LEFT JOIN marketplace.rfq_line rl ON rl.rfq_id = p_rfq_id
            AND (x.l ->> 'rfq_line_id') ~ '^[0-9]{1,18}$' AND rl.id = (x.l ->> 'rfq_line_id')::bigint
     -- IS NOT FALSE: a missing or JSON-null member makes a test NULL, and NULL is malformed, not fine.
     WHERE (rl.id IS NULL
        OR (x.l ->> 'unit_price') !~ '^[0-9]{1,12}(\.[0-9]{1,8})?$' OR (x.l ->> 'unit_price')::numeric <= 0
        OR scale(trim_scale((x.l ->> 'unit_price')::numeric)) > v_units
        OR (x.l ->> 'quantity') !~ '^[0-9]{1,9}$' OR (x.l ->> 'quantity')::bigint NOT BETWEEN 1 AND rl.quantity_required)
           IS NOT FALSE
     LIMIT 1;
    IF v_bad IS NULL THEN
        SELECT format('rfq line %s appears twice', x.l ->> 'rfq_line_id') INTO v_bad
          FROM jsonb_array_elements(p_lines) x(l) GROUP BY x.l ->> 'rfq_line_id' HAVING count(*) > 1 LIMIT 1;
    END IF;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('MARKETPLACE_INVALID_BID', v_bad,
                           format('rfq_line_id of this RFQ, unit_price > 0 with at most %s decimals, quantity 1..quantity required', v_units));
    END IF;
    -- One bid per provider per RFQ, revised in place; re-sending the current bid changes nothing. Two first bids of
    -- one provider racing each other: the INSERT that loses the unique race does nothing, and that call then revises
    -- the winner's row under its lock (never a raw unique violation).
    LOOP
        SELECT * INTO v_bid FROM marketplace.bid WHERE rfq_id = p_rfq_id AND provider_id = v_provider.id FOR UPDATE;
        EXIT WHEN FOUND;
        INSERT INTO marketplace.bid (rfq_id, provider_id) VALUES (p_rfq_id, v_provider.id)
            ON CONFLICT ON CONSTRAINT bid_rfq_id_provider_id_key DO NOTHING RETURNING * INTO v_bid;
        v_new := FOUND;
        EXIT WHEN v_new;
    END LOOP;
    IF NOT v_new AND v_bid.status = 'SUBMITTED' THEN
        SELECT coalesce(array_agg(bl.rfq_line_id || ':' || trim_scale(bl.unit_price) || ':' || bl.quantity_offered ORDER BY bl.rfq_line_id), '{}')
             = (SELECT array_agg((x.l ->> 'rfq_line_id')::bigint || ':' || trim_scale((x.l ->> 'unit_price')::numeric) || ':'
                                 || (x.l ->> 'quantity')::integer ORDER BY (x.l ->> 'rfq_line_id')::bigint)
                  FROM jsonb_array_elements(p_lines) x(l))
          INTO v_same FROM marketplace.bid_line bl WHERE bl.bid_id = v_bid.id;
        IF v_same THEN
            RETURN v_bid.id;
        END IF;
    END IF;
    IF NOT v_new THEN
        UPDATE marketplace.bid SET status = 'SUBMITTED', revision = revision + 1, submitted_at = clock_timestamp(),
                                   updated_at = clock_timestamp()
         WHERE id = v_bid.id RETURNING * INTO v_bid;
        DELETE FROM marketplace.bid_line WHERE bid_id = v_bid.id;
    END IF;
    INSERT INTO marketplace.bid_line (bid_id, rfq_line_id, unit_price, quantity_offered)
    SELECT v_bid.id, (x.l ->> 'rfq_line_id')::bigint, (x.l ->> 'unit_price')::numeric, (x.l ->> 'quantity')::integer
      FROM jsonb_array_elements(p_lines) x(l);
    PERFORM audit.record('marketplace', 'bid', v_bid.id::text, CASE WHEN v_bid.revision = 1 THEN 'SUBMITTED' ELSE 'REVISED' END,
                         NULL, jsonb_build_object('rfq_id', p_rfq_id, 'revision', v_bid.revision));
    RETURN v_bid.id;
END
$$;
COMMENT ON FUNCTION marketplace.submit_bid(bigint, jsonb) IS
'A verified provider submits or revises its sealed bid on a published RFQ of its tenant before the deadline (database clock):
p_lines = [{"rfq_line_id", "unit_price" (per vehicle per day, within the currency''s minor units), "quantity"
(1..quantity required)}]. One bid per provider per RFQ: a revision replaces its prices, counts up revision and moves
submitted_at (the tie-breaker); re-sending the current bid changes nothing. Returns the bid id. Errors:
IDENTITY_NOT_A_PROVIDER, MARKETPLACE_PROVIDER_NOT_VERIFIED, MARKETPLACE_UNKNOWN_RFQ, MARKETPLACE_BIDDING_CLOSED,
MARKETPLACE_INVALID_BID. Locks the RFQ FOR SHARE (an award waits for it), then the bid. Assumes READ COMMITTED.';

CREATE FUNCTION marketplace.withdraw_bid(p_rfq_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
    v_rfq      marketplace.rfq;
BEGIN
    SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id FOR SHARE;
    IF NOT FOUND OR v_rfq.status = 'DRAFT' THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));
    ELSIF v_rfq.status <> 'PUBLISHED' OR clock_timestamp() >= v_rfq.bid_deadline THEN
        PERFORM core.raise('MARKETPLACE_BIDDING_CLOSED', format('rfq %s', p_rfq_id));
    END IF;
    UPDATE marketplace.bid SET status = 'WITHDRAWN', updated_at = clock_timestamp()
     WHERE rfq_id = p_rfq_id AND provider_id = v_provider.id AND status = 'SUBMITTED';
    IF NOT FOUND THEN
        PERFORM core.raise('MARKETPLACE_NO_BID', format('provider %s on rfq %s', v_provider.id, p_rfq_id));
    END IF;
    PERFORM audit.record('marketplace', 'rfq', p_rfq_id::text, 'BID_WITHDRAWN', NULL, '{}');
END
$$;
COMMENT ON FUNCTION marketplace.withdraw_bid(bigint) IS
'Withdraw the caller''s bid before the deadline (it can be submitted again later). Errors: IDENTITY_NOT_A_PROVIDER,
MARKETPLACE_UNKNOWN_RFQ, MARKETPLACE_BIDDING_CLOSED, MARKETPLACE_NO_BID. Assumes READ COMMITTED.';

CREATE FUNCTION marketplace.my_bid(p_rfq_id bigint)
RETURNS TABLE (bid_id bigint, status text, revision integer, submitted_at timestamptz, rfq_line_id bigint,
               unit_price numeric, quantity_offered integer, quantity_awarded integer)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
BEGIN
    RETURN QUERY
    SELECT b.id, b.status, b.revision, b.submitted_at, bl.rfq_line_id, bl.unit_price, bl.quantity_offered,
           (SELECT a.quantity_awarded FROM marketplace.award a WHERE a.bid_id = b.id AND a.rfq_line_id = bl.rfq_line_id)
      FROM marketplace.bid b JOIN marketplace.bid_line bl ON bl.bid_id = b.id
     WHERE b.rfq_id = p_rfq_id AND b.provider_id = v_provider.id
     ORDER BY bl.rfq_line_id;
    IF NOT FOUND THEN
        PERFORM core.raise('MARKETPLACE_NO_BID', format('provider %s on rfq %s', v_provider.id, p_rfq_id));
    END IF;
END
$$;
COMMENT ON FUNCTION marketplace.my_bid(bigint) IS
'The caller''s own bid on an RFQ, line by line, with what was awarded. A provider never sees another''s bid.
Errors: IDENTITY_NOT_A_PROVIDER, MARKETPLACE_NO_BID.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
