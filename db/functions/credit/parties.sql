-- Deploy mercato:functions/credit/parties to pg
-- Vendors and retailers (docs/credit.md): a signed-in user registers a VENDOR or RETAILER organization through
-- identity's functions and becomes its OWNER (members then come through identity's organization api); the back office
-- (credit.manage) approves or rejects vendors once (credit.vendor_status_trg, every writer) and scores retailers (each
-- score recorded in credit.retailer_score); who acts for a vendor or retailer (credit.require_vendor/_retailer) and who
-- sees which (credit.vendors/retailers: members their own organizations', credit.manage all).
-- All functions assume READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- the approval state machine, for every writer ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.vendor_status_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (NEW.organization_id, NEW.vendor_code, NEW.currency, NEW.created_at)
       IS DISTINCT FROM (OLD.organization_id, OLD.vendor_code, OLD.currency, OLD.created_at) THEN
        PERFORM core.raise('CREDIT_IMMUTABLE', format('vendor %s: its organization, code, currency and creation time '
                                                      'never change', OLD.organization_id));
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF OLD.status <> 'PENDING' OR NEW.status NOT IN ('APPROVED', 'REJECTED') THEN
            PERFORM core.raise('CREDIT_VENDOR_STATE', format('vendor %s: %s -> %s', OLD.organization_id, OLD.status,
                                                             NEW.status));
        END IF;
        NEW.decided_at := now();
    ELSIF (NEW.reason, NEW.decided_by, NEW.decided_at) IS DISTINCT FROM (OLD.reason, OLD.decided_by, OLD.decided_at) THEN
        PERFORM core.raise('CREDIT_VENDOR_STATE', format('vendor %s: a decision (%s) never changes',
                                                         OLD.organization_id, OLD.status));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION credit.vendor_status_trg() IS
'Trigger on credit.vendor, whoever writes: a vendor is decided once, PENDING -> APPROVED or REJECTED, stamped with the
time of the decision; a decision, its reason and decider never change (CREDIT_VENDOR_STATE); organization, code,
currency and creation time are fixed (CREDIT_IMMUTABLE). Keeps updated_at.';

CREATE TRIGGER vendor_status BEFORE UPDATE ON credit.vendor
    FOR EACH ROW EXECUTE FUNCTION credit.vendor_status_trg();
CREATE TRIGGER vendor_no_delete BEFORE DELETE ON credit.vendor
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');
CREATE TRIGGER vendor_no_truncate BEFORE TRUNCATE ON credit.vendor
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');
CREATE TRIGGER retailer_no_delete BEFORE DELETE ON credit.retailer
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');
CREATE TRIGGER retailer_no_truncate BEFORE TRUNCATE ON credit.retailer
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('CREDIT_IMMUTABLE');

-- who acts ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.is_manager()
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.current_actor();
BEGIN
    RETURN identity.is_service()
        OR (v_actor.user_id IS NOT NULL AND v_actor.status = 'ACTIVE'
            AND identity.has_permission(v_actor.user_id, 'credit.manage'));
END
$$;
COMMENT ON FUNCTION credit.is_manager() IS
'Is the caller the credit back office: the service role, or an active user holding credit.manage (the platform admin,
the credit operator)? Never raises.';

CREATE OR REPLACE FUNCTION credit.require_vendor(p_vendor_id bigint, p_min_role text DEFAULT 'STAFF')
RETURNS credit.vendor
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_vendor credit.vendor;
    v_found  boolean;
BEGIN
    SELECT * INTO v_vendor FROM credit.vendor WHERE organization_id = p_vendor_id;
    v_found := FOUND;
    IF credit.is_manager() THEN
        IF NOT v_found THEN
            PERFORM core.raise('CREDIT_UNKNOWN_VENDOR', format('vendor %s', p_vendor_id));
        END IF;
        RETURN v_vendor;
    END IF;
    PERFORM identity.require_user();
    IF NOT v_found OR NOT identity.acts_for(p_vendor_id, p_min_role) THEN
        PERFORM core.raise('CREDIT_UNKNOWN_VENDOR', format('vendor %s', p_vendor_id));
    END IF;
    RETURN v_vendor;
END
$$;
COMMENT ON FUNCTION credit.require_vendor(bigint, text) IS
'The vendor, if the caller acts for it with at least p_min_role (STAFF < ADMIN < OWNER; identity.acts_for) or is the
credit back office (credit.is_manager). Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE,
CREDIT_UNKNOWN_VENDOR (404, also for a vendor the caller does not act for).';

CREATE OR REPLACE FUNCTION credit.require_retailer(p_retailer_id bigint, p_min_role text DEFAULT 'STAFF')
RETURNS credit.retailer
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_retailer credit.retailer;
    v_found    boolean;
BEGIN
    SELECT * INTO v_retailer FROM credit.retailer WHERE organization_id = p_retailer_id;
    v_found := FOUND;
    IF credit.is_manager() THEN
        IF NOT v_found THEN
            PERFORM core.raise('CREDIT_UNKNOWN_RETAILER', format('retailer %s', p_retailer_id));
        END IF;
        RETURN v_retailer;
    END IF;
    PERFORM identity.require_user();
    IF NOT v_found OR NOT identity.acts_for(p_retailer_id, p_min_role) THEN
        PERFORM core.raise('CREDIT_UNKNOWN_RETAILER', format('retailer %s', p_retailer_id));
    END IF;
    RETURN v_retailer;
END
$$;
COMMENT ON FUNCTION credit.require_retailer(bigint, text) IS
'The retailer, if the caller acts for it with at least p_min_role or is the credit back office. Errors:
IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE, CREDIT_UNKNOWN_RETAILER (404, also for one the caller does not act
for).';

-- registration --------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.register_vendor(p_name text, p_vendor_code text, p_state_code text,
                                                  p_msme_category text DEFAULT 'NONE', p_currency text DEFAULT 'INR')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_code  text := upper(btrim(p_vendor_code));
    v_org   bigint;
BEGIN
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 256 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'name must be 1-256 characters');
    ELSIF v_code IS NULL OR v_code !~ '^[A-Z0-9][A-Z0-9-]{1,31}$' THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'vendor_code must be 2-32 letters, digits and dashes');
    ELSIF p_state_code IS NULL OR p_state_code !~ '^[0-9]{2}$' THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'state_code must be the two-digit GST state code');
    ELSIF p_msme_category IS NULL OR p_msme_category NOT IN ('MICRO', 'SMALL', 'MEDIUM', 'NONE') THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'msme_category must be MICRO, SMALL, MEDIUM or NONE');
    ELSIF p_currency IS NULL OR NOT EXISTS (SELECT FROM masterdata.currency c WHERE c.code = p_currency AND c.is_active) THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', format('currency %s is not an active currency', p_currency));
    ELSIF EXISTS (SELECT FROM credit.vendor v WHERE v.vendor_code = v_code) THEN
        PERFORM core.raise('CREDIT_VENDOR_CODE_TAKEN', v_code);
    END IF;
    v_org := identity.open_organization('VENDOR', v_actor.tenant_id, p_name, v_actor.user_id);
    BEGIN
        INSERT INTO credit.vendor (organization_id, vendor_code, currency, msme_category, state_code)
        VALUES (v_org, v_code, p_currency, p_msme_category, p_state_code);
    EXCEPTION WHEN unique_violation THEN
        PERFORM core.raise('CREDIT_VENDOR_CODE_TAKEN', v_code);
    END;
    RETURN v_org;
END
$$;
COMMENT ON FUNCTION credit.register_vendor(text, text, text, text, text) IS
'Register a vendor: a VENDOR organization named p_name, the caller its OWNER, with its credit profile PENDING approval
(vendor code upper-cased and unique, GST state code, MSME category, the currency of its credit lines, INR by default;
exposure cap 0 until approved). Returns the organization id. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE,
CREDIT_INVALID_INPUT, CREDIT_VENDOR_CODE_TAKEN.';

CREATE OR REPLACE FUNCTION credit.register_retailer(p_name text, p_state_code text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_org   bigint;
BEGIN
    IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 256 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'name must be 1-256 characters');
    ELSIF p_state_code IS NULL OR p_state_code !~ '^[0-9]{2}$' THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'state_code must be the two-digit GST state code');
    END IF;
    v_org := identity.open_organization('RETAILER', v_actor.tenant_id, p_name, v_actor.user_id);
    INSERT INTO credit.retailer (organization_id, state_code) VALUES (v_org, p_state_code);
    RETURN v_org;
END
$$;
COMMENT ON FUNCTION credit.register_retailer(text, text) IS
'Register a retailer: a RETAILER organization named p_name, the caller its OWNER, with its GST state code; unscored
(no credit allowed) until the back office scores it. Returns the organization id. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, CREDIT_INVALID_INPUT.';

-- the back office -----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.approve_vendor(p_vendor_id bigint, p_exposure_cap numeric)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
    v_units smallint;
BEGIN
    IF NOT credit.is_manager() THEN
        v_actor := identity.require_permission('credit.manage');
    END IF;
    v_actor := identity.current_actor();
    SELECT c.minor_units INTO v_units FROM credit.vendor v JOIN masterdata.currency c ON c.code = v.currency
     WHERE v.organization_id = p_vendor_id;
    IF NOT FOUND THEN
        PERFORM core.raise('CREDIT_UNKNOWN_VENDOR', format('vendor %s', p_vendor_id));
    ELSIF p_exposure_cap IS NULL OR p_exposure_cap < 0 OR p_exposure_cap >= 1e15 OR scale(p_exposure_cap) > v_units THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', format('exposure_cap must be 0 to 10^15 with at most %s decimals', v_units));
    END IF;
    UPDATE credit.vendor SET status = 'APPROVED', decided_by = v_actor.user_id, exposure_cap = p_exposure_cap
     WHERE organization_id = p_vendor_id AND status = 'PENDING';
    IF NOT FOUND THEN
        PERFORM core.raise('CREDIT_VENDOR_STATE', format('vendor %s is decided already', p_vendor_id));
    END IF;
END
$$;
COMMENT ON FUNCTION credit.approve_vendor(bigint, numeric) IS
'Approve a PENDING vendor with its exposure cap (the most its open credit lines'' limits may add up to); audited with
who and when. Needs credit.manage (or the service role). Errors: IDENTITY_PERMISSION_DENIED, CREDIT_UNKNOWN_VENDOR,
CREDIT_INVALID_INPUT, CREDIT_VENDOR_STATE (already decided).';

CREATE OR REPLACE FUNCTION credit.reject_vendor(p_vendor_id bigint, p_reason text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    IF NOT credit.is_manager() THEN
        v_actor := identity.require_permission('credit.manage');
    END IF;
    v_actor := identity.current_actor();
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'a rejection has a reason of 1-500 characters');
    END IF;
    UPDATE credit.vendor SET status = 'REJECTED', reason = btrim(p_reason), decided_by = v_actor.user_id
     WHERE organization_id = p_vendor_id AND status = 'PENDING';
    IF NOT FOUND THEN
        IF EXISTS (SELECT FROM credit.vendor WHERE organization_id = p_vendor_id) THEN
            PERFORM core.raise('CREDIT_VENDOR_STATE', format('vendor %s is decided already', p_vendor_id));
        END IF;
        PERFORM core.raise('CREDIT_UNKNOWN_VENDOR', format('vendor %s', p_vendor_id));
    END IF;
END
$$;
COMMENT ON FUNCTION credit.reject_vendor(bigint, text) IS
'Reject a PENDING vendor with a reason (required); audited with who and when. Needs credit.manage (or the service
role). Errors: IDENTITY_PERMISSION_DENIED, CREDIT_INVALID_INPUT, CREDIT_UNKNOWN_VENDOR, CREDIT_VENDOR_STATE.';

CREATE OR REPLACE FUNCTION credit.set_retailer_score(p_retailer_id bigint, p_score integer, p_note text DEFAULT '',
                                                     p_inputs jsonb DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor;
BEGIN
    IF NOT credit.is_manager() THEN
        v_actor := identity.require_permission('credit.manage');
    END IF;
    v_actor := identity.current_actor();
    IF p_score IS NULL OR p_score NOT BETWEEN 300 AND 900 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'score must be between 300 and 900');
    ELSIF p_note IS NULL OR length(p_note) > 500 THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'note must be at most 500 characters');
    ELSIF p_inputs IS NULL OR jsonb_typeof(p_inputs) <> 'object' THEN
        PERFORM core.raise('CREDIT_INVALID_INPUT', 'inputs must be a JSON object');
    END IF;
    UPDATE credit.retailer SET score = p_score, scored_at = now() WHERE organization_id = p_retailer_id;
    IF NOT FOUND THEN
        PERFORM core.raise('CREDIT_UNKNOWN_RETAILER', format('retailer %s', p_retailer_id));
    END IF;
    INSERT INTO credit.retailer_score (retailer_id, score, note, inputs, set_by)
    VALUES (p_retailer_id, p_score, p_note, p_inputs, v_actor.user_id);
END
$$;
COMMENT ON FUNCTION credit.set_retailer_score(bigint, integer, text, jsonb) IS
'Set a retailer''s credit score (300..900), recorded in credit.retailer_score with a note, its inputs and who set it,
and audited. Its risk category follows (credit.risk_of); a downgrade lowers its credit lines to the new band without
cutting any below its debt (functions/credit/lines). Needs credit.manage or the service role (the scoring job).
Errors: IDENTITY_PERMISSION_DENIED, CREDIT_INVALID_INPUT, CREDIT_UNKNOWN_RETAILER.';

-- reads ---------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION credit.vendors(p_status text DEFAULT NULL)
RETURNS TABLE (vendor_id bigint, name text, vendor_code text, status text, reason text, decided_by bigint,
               decided_at timestamptz, currency text, exposure_cap numeric, msme_category text, state_code text,
               created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_all boolean := credit.is_manager();
BEGIN
    IF NOT v_all THEN
        PERFORM identity.require_user();
    END IF;
    RETURN QUERY
    SELECT v.organization_id, o.name, v.vendor_code, v.status, v.reason, v.decided_by, v.decided_at, v.currency::text,
           v.exposure_cap, v.msme_category, v.state_code, v.created_at
      FROM credit.vendor v JOIN identity.organization o ON o.id = v.organization_id
     WHERE (p_status IS NULL OR v.status = p_status)
       AND (v_all OR identity.acts_for(v.organization_id, 'STAFF'))
     ORDER BY v.organization_id;
END
$$;
COMMENT ON FUNCTION credit.vendors(text) IS
'The vendors the caller may see, optionally of one status: those it acts for (members), every one for the credit back
office (credit.manage, service). Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_USER_INACTIVE.';

CREATE OR REPLACE FUNCTION credit.retailers()
RETURNS TABLE (retailer_id bigint, name text, score smallint, scored_at timestamptz, risk_category text,
               last_order_at timestamptz, state_code text, created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_all boolean := credit.is_manager();
BEGIN
    IF NOT v_all THEN
        PERFORM identity.require_user();
    END IF;
    RETURN QUERY
    SELECT r.organization_id, o.name, r.score, r.scored_at,
           CASE WHEN r.score IS NOT NULL THEN credit.risk_of(r.score) END, r.last_order_at, r.state_code, r.created_at
      FROM credit.retailer r JOIN identity.organization o ON o.id = r.organization_id
     WHERE v_all OR identity.acts_for(r.organization_id, 'STAFF')
     ORDER BY r.organization_id;
END
$$;
COMMENT ON FUNCTION credit.retailers() IS
'The retailers the caller may see — those it acts for (members), every one for the credit back office — with score,
risk category now (credit.risk_of; NULL unscored), last order and GST state. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_USER_INACTIVE, CREDIT_RISK_BANDS_UNDEFINED.';

REVOKE ALL ON FUNCTION credit.vendor_status_trg(), credit.is_manager(), credit.require_vendor(bigint, text),
    credit.require_retailer(bigint, text), credit.register_vendor(text, text, text, text, text),
    credit.register_retailer(text, text), credit.approve_vendor(bigint, numeric), credit.reject_vendor(bigint, text),
    credit.set_retailer_score(bigint, integer, text, jsonb), credit.vendors(text), credit.retailers() FROM PUBLIC;

COMMIT;
