-- Deploy mercato:functions/marketplace/guards to pg
-- The marketplace's rules that hold for every writer, SECURITY DEFINER functions and the table owner included:
-- an RFQ's terms and lines change only while it is a DRAFT, bids only inside the bidding window and the RFQ's tenant,
-- awards within what was requested and offered, never changed.
--
-- Sealing: no application role can read marketplace tables. Bids are written only while clock_timestamp() is before
-- the RFQ's bid_deadline, checked after taking the RFQ row lock FOR SHARE (and again by a trigger on every bid row),
-- and the award locks the RFQ FOR UPDATE, so it waits for bids in flight: a bid racing the deadline either commits
-- before the award reads the bids or is refused. Before the deadline no function tells the business side whether
-- any bid exists (same answer, same code, whether there are bids or not).

BEGIN;

CREATE FUNCTION marketplace.is_bulk_load()
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN current_setting('mercato.bulk_load', true) = 'on'
       AND (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user);
COMMENT ON FUNCTION marketplace.is_bulk_load() IS
'True in a superuser session that loads history and says so (SET LOCAL mercato.bulk_load = on).
Bulk fixtures of benchmarks and of other modules'' tests load awarded RFQs with their lines and bids: the one exception
to the bidding window and to draft-only lines. No application role is a superuser, and a superuser could disable the
triggers anyway.';

CREATE FUNCTION marketplace.check_bid_window(p_rfq_id bigint)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Bulk fixtures (benchmarks, tests of other modules) may load historical bids (marketplace.is_bulk_load).
    IF marketplace.is_bulk_load() THEN
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

-- An RFQ's terms are what providers bid on: once it leaves DRAFT they never change (status and its timestamps do).
-- The bid deadline is left out: no function moves it, and tests and benchmarks move it, as the owner, to let time pass.
CREATE TRIGGER rfq_terms_frozen BEFORE UPDATE OF business_id, title, description, currency, start_date, end_date
    ON marketplace.rfq FOR EACH ROW
    WHEN (OLD.status <> 'DRAFT' AND (NEW.business_id, NEW.title, NEW.description, NEW.currency, NEW.start_date, NEW.end_date)
          IS DISTINCT FROM (OLD.business_id, OLD.title, OLD.description, OLD.currency, OLD.start_date, OLD.end_date))
    EXECUTE FUNCTION core.refuse_change_trg('MARKETPLACE_RFQ_NOT_EDITABLE');
COMMENT ON TRIGGER rfq_terms_frozen ON marketplace.rfq IS
'Once an RFQ has left DRAFT its business, title, description, currency and dates never change, whoever writes
(MARKETPLACE_RFQ_NOT_EDITABLE); marketplace.update_rfq edits drafts only.';

CREATE FUNCTION marketplace.rfq_line_draft_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rfq marketplace.rfq;
BEGIN
    IF marketplace.is_bulk_load() THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    -- FOR SHARE: a publish in flight (which holds the RFQ FOR UPDATE) is waited for, and its outcome seen.
    FOR v_rfq IN SELECT * FROM marketplace.rfq r WHERE r.id IN (OLD.rfq_id, NEW.rfq_id) ORDER BY r.id FOR SHARE LOOP
        IF v_rfq.status <> 'DRAFT' THEN
            PERFORM core.raise('MARKETPLACE_RFQ_NOT_EDITABLE', format('%s of a line of rfq %s, which is %s', TG_OP, v_rfq.id, v_rfq.status));
        END IF;
    END LOOP;
    RETURN coalesce(NEW, OLD);
END
$$;
COMMENT ON FUNCTION marketplace.rfq_line_draft_trg() IS
'Trigger: an RFQ''s lines change only while the RFQ is a DRAFT, whoever writes (MARKETPLACE_RFQ_NOT_EDITABLE).
Added, changed or removed alike; the one exception is an explicit bulk load of history (marketplace.is_bulk_load).
Locks the RFQ FOR SHARE.';

CREATE TRIGGER rfq_line_draft BEFORE INSERT OR UPDATE OR DELETE ON marketplace.rfq_line
    FOR EACH ROW EXECUTE FUNCTION marketplace.rfq_line_draft_trg();
COMMENT ON TRIGGER rfq_line_draft ON marketplace.rfq_line IS
'Lines of a DRAFT RFQ only (marketplace.rfq_line_draft_trg).';

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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
