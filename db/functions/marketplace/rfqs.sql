-- Deploy mercato:functions/marketplace/rfqs to pg
-- The business side of an RFQ's life: draft it (checked terms and lines), edit the draft, publish it (KYB, bidding
-- window, monthly quota), cancel it.

BEGIN;

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
    IF NOT parties.is_marketplace_admin() AND NOT parties.acts_for_business(v_rfq.business_id) THEN
        PERFORM parties.current_business();   -- the caller's own errors first (not authenticated, not a business)
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));   -- another business's: answered as unknown
    END IF;
    RETURN v_rfq;
END
$$;
COMMENT ON FUNCTION marketplace.require_owner(bigint, text) IS
'The RFQ, locked (FOR SHARE or FOR UPDATE), if the caller is its business or an admin; another business''s RFQ is
answered as unknown. Errors: MARKETPLACE_UNKNOWN_RFQ, IDENTITY_*.';

CREATE FUNCTION marketplace.check_rfq_terms(p_title text, p_start_date date, p_end_date date, p_bid_deadline timestamptz,
                                            p_description text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
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
    END IF;
END
$$;
COMMENT ON FUNCTION marketplace.check_rfq_terms(text, date, date, timestamptz, text) IS
'The checks of an RFQ''s terms, for a new RFQ (create_rfq) and an edited draft (update_rfq) alike.
MARKETPLACE_INVALID_RFQ unless the title has 1-256 characters, the description at most 10,000, the period starts today
or later and ends on or after its start (at most 10 years), and the bid deadline is in the future and no later than
the start date.';

CREATE FUNCTION marketplace.check_rfq_lines(p_lines jsonb)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bad     text;
    v_max_qty numeric := masterdata.setting_number('RFQ_MAX_QUANTITY_PER_LINE');
BEGIN
    IF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array'
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
END
$$;
COMMENT ON FUNCTION marketplace.check_rfq_lines(jsonb) IS
'The checks of an RFQ''s lines, for a new RFQ (create_rfq) and an edited draft (update_rfq) alike.
MARKETPLACE_INVALID_RFQ or MASTERDATA_UNKNOWN_LOOKUP unless p_lines is an array of 1 to RFQ_MAX_LINE_ITEMS lines
{"vehicle_type" (a VEHICLE_TYPE code), "engine_type"? (an ENGINE_TYPE code), "quantity" (1 to
RFQ_MAX_QUANTITY_PER_LINE), "with_driver"? (boolean), "notes"? (at most 2,000 characters)}; a missing or JSON-null
required member is malformed.';

CREATE FUNCTION marketplace.add_rfq_lines(p_rfq_id bigint, p_lines jsonb)
RETURNS void
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, engine_type, quantity_required, with_driver, notes)
    SELECT p_rfq_id, x.n, x.l ->> 'vehicle_type', x.l ->> 'engine_type', (x.l ->> 'quantity')::integer,
           coalesce((x.l ->> 'with_driver')::boolean, false), coalesce(x.l ->> 'notes', '')
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(l, n);
END;
COMMENT ON FUNCTION marketplace.add_rfq_lines(bigint, jsonb) IS
'Insert an RFQ''s checked lines (marketplace.check_rfq_lines), numbered in their order from 1.
with_driver defaults to false, notes to ''''. The rfq_line_draft trigger refuses lines of an RFQ that is not a DRAFT.';

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
BEGIN
    PERFORM marketplace.check_rfq_terms(p_title, p_start_date, p_end_date, p_bid_deadline, p_description);
    PERFORM marketplace.check_rfq_lines(p_lines);
    INSERT INTO marketplace.rfq (business_id, title, description, currency, start_date, end_date, bid_deadline)
    VALUES (v_business.id, btrim(p_title), coalesce(p_description, ''), masterdata.setting_text('MARKETPLACE_CURRENCY'),
            p_start_date, p_end_date, p_bid_deadline)
    RETURNING id INTO v_id;
    PERFORM marketplace.add_rfq_lines(v_id, p_lines);
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

CREATE FUNCTION marketplace.update_rfq(
    p_rfq_id bigint, p_title text DEFAULT NULL, p_start_date date DEFAULT NULL, p_end_date date DEFAULT NULL,
    p_bid_deadline timestamptz DEFAULT NULL, p_lines jsonb DEFAULT NULL, p_description text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_business  parties.business := parties.current_business();
    v_rfq       marketplace.rfq;
    v_new       marketplace.rfq;
    v_old_lines jsonb;
    v_new_lines jsonb;
    v_old       jsonb;
    v_changed   jsonb;
BEGIN
    SELECT * INTO v_rfq FROM marketplace.rfq WHERE id = p_rfq_id FOR UPDATE;
    IF NOT FOUND OR v_rfq.business_id IS DISTINCT FROM v_business.id THEN
        PERFORM core.raise('MARKETPLACE_UNKNOWN_RFQ', format('rfq %s', p_rfq_id));   -- another business's: answered as unknown
    ELSIF v_rfq.status <> 'DRAFT' THEN
        PERFORM core.raise('MARKETPLACE_RFQ_NOT_EDITABLE', format('rfq %s is %s', p_rfq_id, v_rfq.status));
    END IF;
    -- The draft as edited passes the checks of a new RFQ; an argument left NULL keeps the draft's value.
    v_new := v_rfq;
    v_new.title := coalesce(btrim(p_title), v_rfq.title);
    v_new.description := coalesce(p_description, v_rfq.description);
    v_new.start_date := coalesce(p_start_date, v_rfq.start_date);
    v_new.end_date := coalesce(p_end_date, v_rfq.end_date);
    v_new.bid_deadline := coalesce(p_bid_deadline, v_rfq.bid_deadline);
    PERFORM marketplace.check_rfq_terms(coalesce(p_title, v_rfq.title), v_new.start_date, v_new.end_date, v_new.bid_deadline,
                                        v_new.description);
    SELECT jsonb_agg(jsonb_build_object('vehicle_type', l.vehicle_type, 'engine_type', l.engine_type, 'quantity', l.quantity_required,
                                        'with_driver', l.with_driver, 'notes', l.notes) ORDER BY l.line_no)
      INTO v_old_lines FROM marketplace.rfq_line l WHERE l.rfq_id = p_rfq_id;
    IF p_lines IS NOT NULL THEN
        PERFORM marketplace.check_rfq_lines(p_lines);
        SELECT jsonb_agg(jsonb_build_object('vehicle_type', x.l ->> 'vehicle_type', 'engine_type', x.l ->> 'engine_type',
                                            'quantity', (x.l ->> 'quantity')::integer,
                                            'with_driver', coalesce((x.l ->> 'with_driver')::boolean, false),
                                            'notes', coalesce(x.l ->> 'notes', '')) ORDER BY x.n)
          INTO v_new_lines FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(l, n);
    END IF;
    -- What changes, old and new, for the audit trail; nothing to do when nothing changes.
    SELECT jsonb_object_agg(c.key, c.value), jsonb_object_agg(c.key, o.value) INTO v_changed, v_old
      FROM jsonb_each(jsonb_build_object('title', v_new.title, 'description', v_new.description, 'start_date', v_new.start_date,
                                         'end_date', v_new.end_date, 'bid_deadline', v_new.bid_deadline)
                      || jsonb_build_object('lines', coalesce(v_new_lines, v_old_lines))) c
      JOIN jsonb_each(jsonb_build_object('title', v_rfq.title, 'description', v_rfq.description, 'start_date', v_rfq.start_date,
                                         'end_date', v_rfq.end_date, 'bid_deadline', v_rfq.bid_deadline)
                      || jsonb_build_object('lines', v_old_lines)) o ON o.key = c.key
     WHERE c.value IS DISTINCT FROM o.value;
    IF v_changed IS NOT NULL THEN
        UPDATE marketplace.rfq SET title = v_new.title, description = v_new.description, start_date = v_new.start_date,
                                   end_date = v_new.end_date, bid_deadline = v_new.bid_deadline, updated_at = now()
         WHERE id = p_rfq_id;
        IF v_changed ? 'lines' THEN
            DELETE FROM marketplace.rfq_line WHERE rfq_id = p_rfq_id;
            PERFORM marketplace.add_rfq_lines(p_rfq_id, p_lines);
        END IF;
        PERFORM audit.record('marketplace', 'rfq', p_rfq_id::text, 'UPDATED', v_old, v_changed);
    END IF;
    RETURN marketplace.get_rfq(p_rfq_id);
END
$$;
COMMENT ON FUNCTION marketplace.update_rfq(bigint, text, date, date, timestamptz, jsonb, text) IS
'A business edits its DRAFT RFQ: title, period, bid deadline, description, lines; what is not given is kept.
Every argument left NULL keeps the draft''s value; p_lines, when given, replaces all the lines (new line ids, numbered
in order; as in create_rfq). The draft as edited passes the checks of create_rfq (so a deadline that has passed must
be moved). Nothing changes on a refusal; a change is audited (UPDATED, old and new values of what changed), an edit
that changes nothing writes nothing. Returns the RFQ as marketplace.get_rfq shows it. A published RFQ is never edited,
whoever writes (triggers on marketplace.rfq and rfq_line). Errors: IDENTITY_NOT_A_BUSINESS, MARKETPLACE_UNKNOWN_RFQ
(another business''s RFQ too), MARKETPLACE_RFQ_NOT_EDITABLE (409), MARKETPLACE_INVALID_RFQ, MASTERDATA_UNKNOWN_LOOKUP.
Locks the RFQ FOR UPDATE (a publish waits). Assumes READ COMMITTED.';

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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
