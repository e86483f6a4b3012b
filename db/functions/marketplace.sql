-- Deploy mercato:functions/marketplace to pg
-- RFQ lifecycle, sealed bidding by the database clock, anonymized ranking after the deadline, awards, quotas.
--
-- Sealing: no application role can read marketplace tables. Bids are written only while clock_timestamp() is before
-- the RFQ's bid_deadline, checked after taking the RFQ row lock FOR SHARE (and again by a trigger on every bid row),
-- and the award locks the RFQ FOR UPDATE, so it waits for bids in flight: a bid racing the deadline either commits
-- before the award reads the bids or is refused. Before the deadline no function tells the business side whether
-- any bid exists (same answer, same code, whether there are bids or not).

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('MARKETPLACE_INVALID_RFQ', 'marketplace', 'PT400', 'the RFQ is malformed', NULL,
 'A field of the RFQ or of one of its lines is missing or out of range; the detail names it.'),
('MARKETPLACE_UNKNOWN_RFQ', 'marketplace', 'PT404', 'no such RFQ', NULL,
 'The RFQ does not exist, or the caller may not see it (a provider sees published RFQs only; answered alike).'),
('MARKETPLACE_FORBIDDEN', 'marketplace', 'PT403', 'only the RFQ''s business (or an admin) may do this', NULL,
 'The caller is not the business that owns the RFQ.'),
('MARKETPLACE_INVALID_STATE', 'marketplace', 'PT409', 'the RFQ is not in a state that allows this', NULL,
 'e.g. publishing an RFQ twice, awarding a cancelled one; the detail gives the state.'),
('MARKETPLACE_KYB_REQUIRED', 'marketplace', 'PT403', 'the business must pass KYB before publishing RFQs',
 'ask the platform to verify the business', 'Only businesses whose kyb_status is VERIFIED publish.'),
('MARKETPLACE_DEADLINE_TOO_SOON', 'marketplace', 'PT400', 'the bid deadline is too close',
 'leave providers at least RFQ_MIN_BID_WINDOW_MINUTES to bid', 'Publishing needs the deadline that far in the future.'),
('MARKETPLACE_QUOTA_EXCEEDED', 'marketplace', 'PT429', 'the business has published its monthly quota of RFQs',
 'wait for next month or move up a tier', 'The business tier''s max_rfqs_per_month is reached for this calendar month (UTC).'),
('MARKETPLACE_PROVIDER_NOT_VERIFIED', 'marketplace', 'PT403', 'only verified providers may bid', NULL,
 'The calling provider''s verification_status is not VERIFIED.'),
('MARKETPLACE_BIDDING_CLOSED', 'marketplace', 'PT409', 'bidding on this RFQ is closed', NULL,
 'The bid deadline has passed by the database clock, or the RFQ is no longer published.'),
('MARKETPLACE_INVALID_BID', 'marketplace', 'PT400', 'the bid is malformed', NULL,
 'A bid line names another RFQ''s line, a price that is not positive or too precise, or a quantity out of range.'),
('MARKETPLACE_NO_BID', 'marketplace', 'PT404', 'the caller has no bid on this RFQ', NULL, 'Nothing to withdraw or show.'),
('MARKETPLACE_BIDS_SEALED', 'marketplace', 'PT403', 'bids are sealed until the bid deadline', NULL,
 'Before the deadline nobody on the business side learns anything about bids, not even whether there are any.'),
('MARKETPLACE_INVALID_AWARD', 'marketplace', 'PT400', 'the award is malformed', NULL,
 'An award names an unknown line or bidder alias, a bidder without a price for that line, or a non-positive quantity.'),
('MARKETPLACE_AWARD_IMMUTABLE', 'marketplace', 'PT403', 'awards are never changed', NULL,
 'An award is a fact the contract is built on; UPDATE and DELETE are refused for everyone.'),
('MARKETPLACE_AWARD_EXCEEDS', 'marketplace', 'PT409', 'the award exceeds what was requested or offered', NULL,
 'Per line the awards may not exceed quantity_required, nor per bid the quantity offered.');

-- Internal helpers ---------------------------------------------------------------------------------

CREATE FUNCTION marketplace.bidder_alias(p_alias_key bytea, p_provider_id bigint)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN 'Bidder ' || upper(left(encode(public.hmac(convert_to(p_provider_id::text, 'UTF8'), p_alias_key, 'sha256'), 'hex'), 8));
COMMENT ON FUNCTION marketplace.bidder_alias(bytea, bigint) IS
'The anonymous name of a provider on one RFQ: HMAC-SHA256 of its id keyed by the RFQ''s secret alias_key. Different
on every RFQ (no linking across RFQs), and not a hash anyone can recompute from the id.';

CREATE FUNCTION marketplace.require_owner(p_rfq_id bigint, p_lock text DEFAULT 'SHARE')
RETURNS marketplace.rfq
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq marketplace.rfq;
BEGIN
    IF p_lock = 'UPDATE' THEN
        SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id FOR UPDATE;
    ELSE
        SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id FOR SHARE;
    END IF;
    IF NOT FOUND THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));
    END IF;
    IF NOT parties.is_marketplace_admin() AND (parties.current_business()).id IS DISTINCT FROM v_rfq.business_id THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));   -- another business's: answered as unknown
    END IF;
    RETURN v_rfq;
END
$$;
COMMENT ON FUNCTION marketplace.require_owner(bigint, text) IS
'The RFQ, locked (FOR SHARE or FOR UPDATE), if the caller is its business or an admin; another business''s RFQ is
answered as unknown. Errors: MARKETPLACE_UNKNOWN_RFQ, IDENTITY_*.';

CREATE FUNCTION marketplace.check_bid_window(p_rfq_id bigint)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Bulk fixtures (benchmarks, tests of other modules) may load historical bids: only a superuser session that says
    -- so explicitly. No application role is a superuser, and a superuser could disable the triggers anyway.
    IF current_setting('mercato.bulk_load', true) = 'on'
       AND (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user) THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM marketplace.rfq r WHERE r.id = p_rfq_id
                 AND (r.status <> 'PUBLISHED' OR r.bid_deadline <= clock_timestamp())) THEN
        PERFORM core.raise('MARKETPLACE_BIDDING_CLOSED', format('rfq %s', p_rfq_id));
    END IF;
END
$$;
COMMENT ON FUNCTION marketplace.check_bid_window(bigint) IS
'MARKETPLACE_BIDDING_CLOSED unless the RFQ is PUBLISHED and before its bid deadline by the database clock. The one
exception is an explicit bulk load of history by a superuser session (SET mercato.bulk_load = on), for fixtures.';

CREATE FUNCTION marketplace.bid_window_trg()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM marketplace.check_bid_window(NEW.rfq_id);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION marketplace.bid_window_trg() IS
'Trigger: a bid is created or revised only while its RFQ is open for bidding (marketplace.check_bid_window) — whoever
writes, SECURITY DEFINER functions included.';

CREATE FUNCTION marketplace.bid_line_window_trg()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM marketplace.check_bid_window((SELECT b.rfq_id FROM marketplace.bid b WHERE b.id = coalesce(NEW.bid_id, OLD.bid_id)));
    RETURN coalesce(NEW, OLD);
END
$$;
COMMENT ON FUNCTION marketplace.bid_line_window_trg() IS
'Trigger: a bid''s prices are written, revised or removed only while its RFQ is open for bidding
(marketplace.check_bid_window) — whoever writes.';

CREATE TRIGGER bid_window BEFORE INSERT ON marketplace.bid
    FOR EACH ROW EXECUTE FUNCTION marketplace.bid_window_trg();
CREATE TRIGGER bid_revision_window BEFORE UPDATE OF revision, submitted_at ON marketplace.bid
    FOR EACH ROW EXECUTE FUNCTION marketplace.bid_window_trg();
CREATE TRIGGER bid_line_window BEFORE INSERT OR UPDATE OR DELETE ON marketplace.bid_line
    FOR EACH ROW EXECUTE FUNCTION marketplace.bid_line_window_trg();

CREATE FUNCTION marketplace.same_tenant(p_rfq_id bigint, p_provider_id bigint)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN (SELECT b.tenant_id FROM marketplace.rfq r JOIN parties.business b ON b.id = r.business_id WHERE r.id = p_rfq_id)
       IS NOT DISTINCT FROM (SELECT p.tenant_id FROM parties.provider p WHERE p.id = p_provider_id);
COMMENT ON FUNCTION marketplace.same_tenant(bigint, bigint) IS
'True when the RFQ''s business and the provider belong to the same tenant (both to none counts as the same): a
marketplace never crosses tenants. SECURITY DEFINER so that row-level security policies can ask it; it reveals
nothing but the answer.';

CREATE FUNCTION marketplace.bid_tenant_trg()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT marketplace.same_tenant(NEW.rfq_id, NEW.provider_id) THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s is not in provider %s''s tenant', NEW.rfq_id, NEW.provider_id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION marketplace.bid_tenant_trg() IS
'Trigger: a provider bids only on RFQs of its own tenant (marketplace.same_tenant), whoever writes; across tenants the
RFQ does not exist (MARKETPLACE_UNKNOWN_RFQ).';

CREATE TRIGGER bid_tenant BEFORE INSERT OR UPDATE OF rfq_id, provider_id ON marketplace.bid
    FOR EACH ROW EXECUTE FUNCTION marketplace.bid_tenant_trg();

CREATE FUNCTION marketplace.award_bounds_trg()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bad text;
BEGIN
    SELECT format('line %s: awarded %s of %s requested', l.id, s.total, l.quantity_required) INTO v_bad
      FROM (SELECT a.rfq_line_id, sum(a.quantity_awarded) AS total FROM marketplace.award a
             WHERE a.rfq_line_id IN (SELECT n.rfq_line_id FROM new_awards n) GROUP BY a.rfq_line_id) s
      JOIN marketplace.rfq_line l ON l.id = s.rfq_line_id
     WHERE s.total > l.quantity_required LIMIT 1;
    IF v_bad IS NULL THEN
        SELECT format('bid %s line %s: awarded %s, offered %s', n.bid_id, n.rfq_line_id, n.quantity_awarded,
                      coalesce(bl.quantity_offered::text, 'nothing')) INTO v_bad
          FROM new_awards n
          LEFT JOIN marketplace.bid b ON b.id = n.bid_id AND b.rfq_id = n.rfq_id AND b.provider_id = n.provider_id
          LEFT JOIN marketplace.bid_line bl ON bl.bid_id = b.id AND bl.rfq_line_id = n.rfq_line_id
         WHERE bl.bid_id IS NULL OR n.quantity_awarded > bl.quantity_offered OR n.unit_price <> bl.unit_price
         LIMIT 1;
    END IF;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('MARKETPLACE_AWARD_EXCEEDS', v_bad);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION marketplace.award_bounds_trg() IS
'Trigger (per statement, on the inserted awards): per RFQ line the awards never exceed quantity_required; each award
matches a bid of that RFQ and provider that priced the line, at its price, within the quantity offered.';

CREATE TRIGGER award_bounds AFTER INSERT ON marketplace.award
    REFERENCING NEW TABLE AS new_awards FOR EACH STATEMENT EXECUTE FUNCTION marketplace.award_bounds_trg();
-- An award is never changed or deleted, even by the owner.
CREATE TRIGGER award_immutable BEFORE UPDATE OR DELETE ON marketplace.award
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('MARKETPLACE_AWARD_IMMUTABLE');

-- The business side ---------------------------------------------------------------------------------

CREATE FUNCTION marketplace.create_rfq(
    p_title text, p_start_date date, p_end_date date, p_bid_deadline timestamptz, p_lines jsonb,
    p_description text DEFAULT '')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_business parties.business := parties.current_business();
    v_id       bigint;
    v_bad      text;
    v_max_qty  numeric := masterdata.setting_number('RFQ_MAX_QUANTITY_PER_LINE');
BEGIN
    IF p_title IS NULL OR length(btrim(p_title)) NOT BETWEEN 1 AND 256 THEN
        PERFORM core.raise('MARKETPLACE_INVALID_RFQ', 'p_title must be 1-256 characters');
    ELSIF length(p_description) > 10000 THEN
        PERFORM core.raise('MARKETPLACE_INVALID_RFQ', 'p_description is longer than 10000 characters');
    ELSIF p_start_date IS NULL OR p_end_date IS NULL OR NOT isfinite(p_start_date) OR NOT isfinite(p_end_date)
          OR p_start_date < current_date OR p_end_date < p_start_date OR p_end_date > p_start_date + 3650 THEN
        PERFORM core.raise('MARKETPLACE_INVALID_RFQ', 'the period must start today or later and end on or after its start (at most 10 years)');
    ELSIF p_bid_deadline IS NULL OR NOT isfinite(p_bid_deadline) OR p_bid_deadline <= now()
          OR p_bid_deadline >= p_start_date::timestamptz + interval '1 day' THEN
        PERFORM core.raise('MARKETPLACE_INVALID_RFQ', 'p_bid_deadline must be in the future and no later than the start date');
    ELSIF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array'
          OR jsonb_array_length(p_lines) NOT BETWEEN 1 AND masterdata.setting_number('RFQ_MAX_LINE_ITEMS')
          OR jsonb_path_exists(p_lines, 'strict $[*] ? (@.type() != "object")') THEN
        PERFORM core.raise('MARKETPLACE_INVALID_RFQ', format('p_lines must be an array of 1 to %s objects',
                                                             masterdata.setting_number('RFQ_MAX_LINE_ITEMS')),
                           'a line is {"vehicle_type": "SEDAN", "engine_type": "HYBRID", "quantity": 3, "with_driver": false}');
    END IF;
    SELECT format('line %s: %s', n, left(l::text, 200)) INTO v_bad
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(l, n)
     WHERE (jsonb_typeof(l -> 'quantity') IS DISTINCT FROM 'number'
        OR (l ->> 'quantity') !~ '^[0-9]{1,9}$' OR (l ->> 'quantity')::bigint NOT BETWEEN 1 AND v_max_qty
        OR jsonb_typeof(l -> 'vehicle_type') IS DISTINCT FROM 'string'
        OR (l ? 'engine_type' AND jsonb_typeof(l -> 'engine_type') NOT IN ('string', 'null'))
        OR (l ? 'with_driver' AND jsonb_typeof(l -> 'with_driver') NOT IN ('boolean', 'null'))
        OR (l ? 'notes' AND (jsonb_typeof(l -> 'notes') <> 'string' OR length(l ->> 'notes') > 2000)))
           IS NOT FALSE   -- a test that is NULL (a missing or JSON-null member) means malformed
     LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('MARKETPLACE_INVALID_RFQ', v_bad,
                           format('quantity is a whole number 1-%s; vehicle_type a VEHICLE_TYPE code', v_max_qty));
    END IF;
    PERFORM masterdata.lookup_id('VEHICLE_TYPE', l ->> 'vehicle_type') FROM jsonb_array_elements(p_lines) l;
    PERFORM masterdata.lookup_id('ENGINE_TYPE', l ->> 'engine_type') FROM jsonb_array_elements(p_lines) l
      WHERE l ->> 'engine_type' IS NOT NULL;
    INSERT INTO marketplace.rfq (business_id, title, description, currency, start_date, end_date, bid_deadline)
    VALUES (v_business.id, btrim(p_title), coalesce(p_description, ''), masterdata.setting_text('MARKETPLACE_CURRENCY'),
            p_start_date, p_end_date, p_bid_deadline)
    RETURNING id INTO v_id;
    INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, engine_type, quantity_required, with_driver, notes)
    SELECT v_id, n, l ->> 'vehicle_type', l ->> 'engine_type', (l ->> 'quantity')::integer,
           coalesce((l ->> 'with_driver')::boolean, false), coalesce(l ->> 'notes', '')
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(l, n);
    PERFORM audit.record('marketplace', 'rfq', v_id::text, 'CREATED', NULL,
                         jsonb_build_object('business_id', v_business.id, 'lines', jsonb_array_length(p_lines)));
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION marketplace.create_rfq(text, date, date, timestamptz, jsonb, text) IS
'A business drafts an RFQ: vehicles wanted from p_start_date to p_end_date (inclusive), bids until p_bid_deadline,
lines [{"vehicle_type", "engine_type"?, "quantity", "with_driver"?, "notes"?}] (types are lookup codes; at most
RFQ_MAX_LINE_ITEMS lines of at most RFQ_MAX_QUANTITY_PER_LINE vehicles); currency MARKETPLACE_CURRENCY; returns the
RFQ id (DRAFT). Errors: IDENTITY_NOT_A_BUSINESS, MARKETPLACE_INVALID_RFQ, MASTERDATA_UNKNOWN_LOOKUP. Assumes READ COMMITTED.';

CREATE FUNCTION marketplace.publish_rfq(p_rfq_id bigint)
RETURNS marketplace.rfq
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq      marketplace.rfq := marketplace.require_owner(p_rfq_id, 'UPDATE');
    v_business parties.business;
    v_limit    integer;
    v_month    date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    v_used     integer;
BEGIN
    IF v_rfq.status = 'PUBLISHED' THEN
        RETURN v_rfq;   -- a retry
    ELSIF v_rfq.status <> 'DRAFT' THEN
        PERFORM core.raise('MARKETPLACE_INVALID_STATE', format('rfq %s is %s', p_rfq_id, v_rfq.status));
    END IF;
    SELECT * INTO v_business FROM parties.business WHERE id = v_rfq.business_id;
    IF v_business.kyb_status <> 'VERIFIED' THEN
        PERFORM core.raise('MARKETPLACE_KYB_REQUIRED', format('business %s is %s', v_business.id, v_business.kyb_status));
    END IF;
    IF v_rfq.bid_deadline < now() + make_interval(mins => masterdata.setting_number('RFQ_MIN_BID_WINDOW_MINUTES')::integer) THEN
        PERFORM core.raise('MARKETPLACE_DEADLINE_TOO_SOON',
                           format('deadline %s, earliest allowed %s', v_rfq.bid_deadline,
                                  now() + make_interval(mins => masterdata.setting_number('RFQ_MIN_BID_WINDOW_MINUTES')::integer)));
    END IF;
    SELECT r.max_rfqs_per_month INTO v_limit
      FROM masterdata.business_tier_rule r
     WHERE r.policy_version_id = (masterdata.policy_in_force('BUSINESS_TIER_RULES')).id AND r.tier_code = v_business.tier_code;
    -- The quota is one conditional upsert: concurrent publishes of one business cannot exceed it.
    INSERT INTO marketplace.rfq_quota AS q (business_id, month, used) VALUES (v_business.id, v_month, 1)
    ON CONFLICT (business_id, month) DO UPDATE SET used = q.used + 1 WHERE v_limit IS NULL OR q.used < v_limit
    RETURNING q.used INTO v_used;
    IF v_used IS NULL OR (v_limit IS NOT NULL AND v_used > v_limit) THEN
        PERFORM core.raise('MARKETPLACE_QUOTA_EXCEEDED', format('business %s (%s) has published %s of %s RFQs in %s',
                                                                v_business.id, v_business.tier_code, v_limit, v_limit,
                                                                to_char(v_month, 'YYYY-MM')));
    END IF;
    UPDATE marketplace.rfq SET status = 'PUBLISHED', published_at = now(), updated_at = now()
     WHERE id = p_rfq_id RETURNING * INTO v_rfq;
    PERFORM audit.record('marketplace', 'rfq', p_rfq_id::text, 'PUBLISHED', NULL,
                         jsonb_build_object('quota_used', v_used, 'quota', v_limit));
    RETURN v_rfq;
END
$$;
COMMENT ON FUNCTION marketplace.publish_rfq(bigint) IS
'Publish a DRAFT RFQ so verified providers can bid: the business must be KYB-VERIFIED, the deadline at least
RFQ_MIN_BID_WINDOW_MINUTES away, and the business tier''s monthly quota (BUSINESS_TIER_RULES in force,
max_rfqs_per_month; NULL = unlimited) not reached — counted per calendar month (UTC) by one conditional upsert, so
concurrent publishes cannot exceed it. A retry on a PUBLISHED RFQ returns it. Errors: MARKETPLACE_UNKNOWN_RFQ,
MARKETPLACE_INVALID_STATE, MARKETPLACE_KYB_REQUIRED, MARKETPLACE_DEADLINE_TOO_SOON, MARKETPLACE_QUOTA_EXCEEDED (429).
Locks the RFQ, then the quota row. Assumes READ COMMITTED.';

CREATE FUNCTION marketplace.cancel_rfq(p_rfq_id bigint)
RETURNS marketplace.rfq
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq marketplace.rfq := marketplace.require_owner(p_rfq_id, 'UPDATE');
BEGIN
    IF v_rfq.status = 'CANCELLED' THEN
        RETURN v_rfq;
    ELSIF v_rfq.status NOT IN ('DRAFT', 'PUBLISHED') THEN
        PERFORM core.raise('MARKETPLACE_INVALID_STATE', format('rfq %s is %s', p_rfq_id, v_rfq.status));
    END IF;
    UPDATE marketplace.bid SET status = 'LOST', updated_at = clock_timestamp() WHERE rfq_id = p_rfq_id AND status = 'SUBMITTED';
    UPDATE marketplace.rfq SET status = 'CANCELLED', updated_at = now() WHERE id = p_rfq_id RETURNING * INTO v_rfq;
    PERFORM audit.record('marketplace', 'rfq', p_rfq_id::text, 'CANCELLED', NULL, '{}');
    RETURN v_rfq;
END
$$;
COMMENT ON FUNCTION marketplace.cancel_rfq(bigint) IS
'Cancel a DRAFT or PUBLISHED RFQ (before any award); its bids are lost. Idempotent. Caller: the RFQ''s business or an
admin. Errors: MARKETPLACE_UNKNOWN_RFQ, MARKETPLACE_INVALID_STATE. Locks the RFQ. Assumes READ COMMITTED.';

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
                          OR EXISTS (SELECT 1 FROM parties.business b
                                      WHERE b.id = v_rfq.business_id AND b.user_id = (identity.current_actor()).user_id));
    IF NOT FOUND OR NOT (v_owner OR (v_rfq.status = 'PUBLISHED'
                                     AND EXISTS (SELECT 1 FROM parties.provider p WHERE p.user_id = (identity.current_actor()).user_id
                                                    AND marketplace.same_tenant(p_rfq_id, p.id)))) THEN
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

-- The provider side -----------------------------------------------------------------------------------

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

-- After the deadline ------------------------------------------------------------------------------------

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
                         OR EXISTS (SELECT 1 FROM parties.business b
                                     WHERE b.id = v_rfq.business_id AND b.user_id = (identity.current_actor()).user_id)) THEN
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
