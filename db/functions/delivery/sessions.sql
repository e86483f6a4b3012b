-- Deploy mercato:functions/delivery/sessions to pg
-- The provider side of a handover: open a DELIVERY or RETURN session (its first code goes to the business through the
-- outbox, delivery.send_code), ask for a new code (supersedes, rate-limited, also through the outbox), cancel a pending
-- or locked session; and a session as its parties see it.
--
-- Rework of the released version (which returned the code to the provider, issue 17): start_session and resend_code
-- return the session, the code's expiry and the outbox message id, never the code. Their result type changes, so they
-- are dropped and created again; the api wrappers whose SQL bodies depend on them (api.start_delivery_session,
-- api.resend_code) are dropped with them and created again, in their new shape, by the rework of
-- functions/api/marketplace planned right after this one.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- The result types change (the code leaves the answer): PostgreSQL replaces a function's result only by DROP and CREATE.
-- Clients of the old answer must change anyway, since it no longer carries the code (issue 17).
-- squawk-ignore ban-drop-function
DROP FUNCTION api.start_delivery_session(bigint, core.name_text, core.name_text), api.resend_code(bigint, core.name_text);
-- squawk-ignore ban-drop-function
DROP FUNCTION delivery.start_session(bigint, text, text), delivery.resend_code(bigint, text);

CREATE OR REPLACE FUNCTION delivery.start_session(p_assignment_id bigint, p_session_type text, p_channel text DEFAULT 'SMS')
RETURNS TABLE (session_id bigint, expires_at timestamptz, message_id bigint)
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
    SELECT c.o_expires_at, c.o_message_id INTO expires_at, message_id FROM delivery.send_code(v_session, p_channel) c;
    PERFORM audit.record('delivery', 'session', v_session::text, 'STARTED', NULL,
                         jsonb_build_object('assignment_id', p_assignment_id, 'type', p_session_type, 'channel', p_channel));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION delivery.start_session(bigint, text, text) IS
'The assignment''s provider opens a DELIVERY (vehicle pending delivery) or RETURN (vehicle in use) session of an ACTIVE
contract; a one-time code is issued and sent to the business through the outbox in the same transaction (SMS to its
phone or EMAIL to its e-mail, delivery.send_code); the provider never sees it, only its keyed hash is kept. Returns the
session id, the code''s expiry and the outbox message id. Errors: IDENTITY_NOT_A_PROVIDER, DELIVERY_INVALID_INPUT,
DELIVERY_UNKNOWN_ASSIGNMENT, DELIVERY_INVALID_STATE, DELIVERY_SESSION_EXISTS (409, also against a concurrent start),
DELIVERY_NO_CONTACT (the business has no phone or e-mail for the channel). Locks the assignment.
Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION delivery.resend_code(p_session_id bigint, p_channel text DEFAULT 'SMS')
RETURNS TABLE (session_id bigint, expires_at timestamptz, message_id bigint)
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
    session_id := p_session_id;
    SELECT c.o_expires_at, c.o_message_id INTO expires_at, message_id FROM delivery.send_code(p_session_id, p_channel) c;
    PERFORM audit.record('delivery', 'session', p_session_id::text, 'CODE_RESENT', NULL, jsonb_build_object('channel', p_channel));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION delivery.resend_code(bigint, text) IS
'The provider asks for a new code: the previous one dies (SUPERSEDED) and the new one is sent to the business through
the outbox as a new message (delivery.send_code); returns the session id, the code''s expiry and the message id, never the
code. The session''s failure budget is not reset. Rate-limited: OTP_RESEND_COOLDOWN_SECONDS between codes, at most 1 + OTP_MAX_RESENDS codes per session. Errors:
IDENTITY_NOT_A_PROVIDER, DELIVERY_INVALID_INPUT, DELIVERY_UNKNOWN_SESSION, DELIVERY_INVALID_STATE, DELIVERY_RESEND_LIMIT,
DELIVERY_RESEND_TOO_SOON, DELIVERY_NO_CONTACT. Locks the session. Assumes READ COMMITTED.';

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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
