-- Revert mercato:functions/delivery/sessions from pg
-- Puts the previous version (functions/delivery/sessions@v0.1.0) back: start_session and resend_code return the code
-- again (DROP and CREATE, their result type changes), and the api wrappers this rework's deploy dropped are created
-- again as released (the rework of functions/api/marketplace, planned after this one, is reverted first and leaves
-- them absent, as they were when this rework deployed).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION delivery.start_session(bigint, text, text), delivery.resend_code(bigint, text);

CREATE OR REPLACE FUNCTION delivery.start_session(p_assignment_id bigint, p_session_type text, p_channel text DEFAULT 'SMS')
RETURNS TABLE (session_id bigint, code text, expires_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
    v_a        contracts.assignment;
    v_contract contracts.contract;
    v_session  bigint;
BEGIN
    IF p_session_type IS NULL OR p_session_type NOT IN ('DELIVERY', 'RETURN') THEN
        PERFORM core.raise('DELIVERY_INVALID_INPUT', 'p_session_type must be DELIVERY or RETURN');
    ELSIF p_channel IS NULL OR p_channel NOT IN ('SMS', 'EMAIL') THEN
        PERFORM core.raise('DELIVERY_INVALID_INPUT', 'p_channel must be SMS or EMAIL');
    END IF;
    SELECT * INTO v_a FROM contracts.assignment WHERE id = p_assignment_id AND provider_id = v_provider.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('DELIVERY_UNKNOWN_ASSIGNMENT', format('assignment %s', p_assignment_id));
    END IF;
    SELECT * INTO v_contract FROM contracts.contract WHERE id = v_a.contract_id;
    IF v_contract.status <> 'ACTIVE' THEN
        PERFORM core.raise('DELIVERY_INVALID_STATE', format('contract %s is %s', v_contract.id, v_contract.status));
    ELSIF p_session_type = 'DELIVERY' AND v_a.status <> 'PENDING_DELIVERY' THEN
        PERFORM core.raise('DELIVERY_INVALID_STATE', format('assignment %s is %s', p_assignment_id, v_a.status));
    ELSIF p_session_type = 'RETURN' AND v_a.status <> 'ACTIVE' THEN
        PERFORM core.raise('DELIVERY_INVALID_STATE', format('assignment %s is %s: nothing to return', p_assignment_id, v_a.status));
    END IF;
    IF EXISTS (SELECT 1 FROM delivery.session s WHERE s.assignment_id = p_assignment_id AND s.session_type = p_session_type
                                               AND s.live) THEN
        PERFORM core.raise('DELIVERY_SESSION_EXISTS', format('assignment %s, %s', p_assignment_id, p_session_type));
    END IF;
    INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
    VALUES (p_assignment_id, p_session_type, v_contract.business_id, v_provider.id, v_a.vehicle_id,
            masterdata.setting_number('OTP_SESSION_FAILURE_BUDGET')::integer)
    RETURNING id INTO v_session;
    session_id := v_session;
    SELECT i.o_code, i.o_expires_at INTO code, expires_at FROM delivery.issue_code(v_session, p_channel) i;
    PERFORM audit.record('delivery', 'session', v_session::text, 'STARTED', NULL,
                         jsonb_build_object('assignment_id', p_assignment_id, 'type', p_session_type, 'channel', p_channel));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION delivery.start_session(bigint, text, text) IS
'The assignment''s provider opens a DELIVERY (vehicle pending delivery) or RETURN (vehicle in use) session of an ACTIVE
contract; a one-time code for the business is issued and returned once — send it by SMS or EMAIL; only its keyed
hash is kept. Errors: IDENTITY_NOT_A_PROVIDER, DELIVERY_INVALID_INPUT, DELIVERY_UNKNOWN_ASSIGNMENT,
DELIVERY_INVALID_STATE, DELIVERY_SESSION_EXISTS (409, also against a concurrent start). Locks the assignment.
Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION delivery.resend_code(p_session_id bigint, p_channel text DEFAULT 'SMS')
RETURNS TABLE (code text, expires_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_provider parties.provider := parties.current_provider();
    v_s        delivery.session;
BEGIN
    IF p_channel IS NULL OR p_channel NOT IN ('SMS', 'EMAIL') THEN
        PERFORM core.raise('DELIVERY_INVALID_INPUT', 'p_channel must be SMS or EMAIL');
    END IF;
    SELECT * INTO v_s FROM delivery.session WHERE id = p_session_id AND provider_id = v_provider.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('DELIVERY_UNKNOWN_SESSION', format('session %s', p_session_id));
    ELSIF v_s.status <> 'PENDING' THEN
        PERFORM core.raise('DELIVERY_INVALID_STATE', format('session %s is %s', p_session_id, v_s.status));
    ELSIF v_s.codes_issued > masterdata.setting_number('OTP_MAX_RESENDS') THEN
        PERFORM core.raise('DELIVERY_RESEND_LIMIT', format('session %s issued %s codes', p_session_id, v_s.codes_issued));
    ELSIF v_s.last_issued_at + make_interval(secs => masterdata.setting_number('OTP_RESEND_COOLDOWN_SECONDS')) > clock_timestamp() THEN
        PERFORM core.raise('DELIVERY_RESEND_TOO_SOON', format('last code at %s', v_s.last_issued_at));
    END IF;
    SELECT i.o_code, i.o_expires_at INTO code, expires_at FROM delivery.issue_code(p_session_id, p_channel) i;
    PERFORM audit.record('delivery', 'session', p_session_id::text, 'CODE_RESENT', NULL, jsonb_build_object('channel', p_channel));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION delivery.resend_code(bigint, text) IS
'The provider asks for a new code: the previous one dies (SUPERSEDED); the session''s failure budget is not reset.
Rate-limited: OTP_RESEND_COOLDOWN_SECONDS between codes, at most 1 + OTP_MAX_RESENDS codes per session. Errors:
IDENTITY_NOT_A_PROVIDER, DELIVERY_INVALID_INPUT, DELIVERY_UNKNOWN_SESSION, DELIVERY_INVALID_STATE, DELIVERY_RESEND_LIMIT,
DELIVERY_RESEND_TOO_SOON. Locks the session. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION delivery.cancel_session(p_session_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_s delivery.session;
BEGIN
    SELECT * INTO v_s FROM delivery.session WHERE id = p_session_id FOR UPDATE;
    IF NOT FOUND OR NOT (parties.is_marketplace_admin()
                         OR parties.acts_for_provider(v_s.provider_id)) THEN
        PERFORM core.raise('DELIVERY_UNKNOWN_SESSION', format('session %s', p_session_id));
    ELSIF v_s.status NOT IN ('PENDING', 'LOCKED') THEN
        PERFORM core.raise('DELIVERY_INVALID_STATE', format('session %s is %s', p_session_id, v_s.status));
    END IF;
    UPDATE delivery.otp SET status = 'SUPERSEDED' WHERE session_id = p_session_id AND status = 'ACTIVE';
    UPDATE delivery.session SET status = 'CANCELLED' WHERE id = p_session_id;
    PERFORM audit.record('delivery', 'session', p_session_id::text, 'CANCELLED', NULL, '{}');
END
$$;
COMMENT ON FUNCTION delivery.cancel_session(bigint) IS
'Cancel a PENDING or LOCKED session (its code dies) so that a new one can be opened. Caller: the provider or an admin.
Errors: DELIVERY_UNKNOWN_SESSION, DELIVERY_INVALID_STATE. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION delivery.session_status(p_session_id bigint)
RETURNS TABLE (session_id bigint, assignment_id bigint, session_type text, status text, failures integer,
               failure_budget integer, codes_issued integer, code_expires_at timestamptz, verified_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user bigint := (identity.require_user()).user_id;   -- raises for anonymous callers
BEGIN
    RETURN QUERY
    SELECT s.id, s.assignment_id, s.session_type, s.status, s.failures, s.failure_budget, s.codes_issued,
           (SELECT o.expires_at FROM delivery.otp o WHERE o.session_id = s.id AND o.status = 'ACTIVE'), s.verified_at
      FROM delivery.session s
     WHERE s.id = p_session_id
       AND (parties.is_marketplace_admin()
            OR parties.acts_for_business(s.business_id)
            OR parties.acts_for_provider(s.provider_id));
    IF NOT FOUND THEN
        PERFORM core.raise('DELIVERY_UNKNOWN_SESSION', format('session %s', p_session_id));
    END IF;
END
$$;
COMMENT ON FUNCTION delivery.session_status(bigint) IS
'A session as its parties see it (never the code or its hash). Errors: IDENTITY_NOT_AUTHENTICATED, DELIVERY_UNKNOWN_SESSION.';

-- the api wrappers as released (functions/api/marketplace@v0.1.0)
CREATE OR REPLACE FUNCTION api.start_delivery_session(p_assignment_id bigint, p_session_type core.name_text, p_channel core.name_text DEFAULT 'SMS')
RETURNS TABLE(session_id bigint, code text, expires_at timestamp with time zone) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM delivery.start_session(p_assignment_id, p_session_type, p_channel);
END;
SELECT core.wrap('api.start_delivery_session(bigint, core.name_text, core.name_text)', 'delivery.start_session(bigint, text, text)',
                 'The assignment''s provider.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.resend_code(p_session_id bigint, p_channel core.name_text DEFAULT 'SMS')
RETURNS TABLE(code text, expires_at timestamp with time zone) LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM delivery.resend_code(p_session_id, p_channel);
END;
SELECT core.wrap('api.resend_code(bigint, core.name_text)', 'delivery.resend_code(bigint, text)',
                 'The session''s provider.', 'mercato_user', 'mercato_service');

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
