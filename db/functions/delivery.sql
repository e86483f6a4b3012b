-- Deploy mercato:functions/delivery to pg
-- One-time codes for vehicle handover and return: issue (returned once), resend (supersedes, rate-limited),
-- verify (single use, per-code attempt limit, per-session failure budget that survives resends), the handover record,
-- the assignment's start or end, and the outcome that moves the provider's trust score (folded in by the tier job).
--
-- Codes: 6 digits drawn uniformly (rejection sampling) from pgcrypto's gen_random_bytes; stored only as
-- HMAC-SHA256(key, session id || ':' || code) with a key in delivery.otp_key, which no application role can read.
-- A wrong code is an answer, not an error: verify_code returns verified = false and COMMITS the failed attempt
-- (raising would roll the counter back and give an attacker unlimited tries).

BEGIN;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('DELIVERY_UNKNOWN_ASSIGNMENT', 'delivery', 'PT404', 'no such assignment', NULL,
 'The assignment does not exist or the caller is not its provider (answered alike).'),
('DELIVERY_UNKNOWN_SESSION', 'delivery', 'PT404', 'no such delivery session', NULL,
 'The session does not exist or the caller is not a party to it (answered alike).'),
('DELIVERY_INVALID_STATE', 'delivery', 'PT409', 'the assignment or session is not in a state that allows this', NULL,
 'e.g. a DELIVERY session for a vehicle already handed over, a RETURN before the handover, a resend on a closed session.'),
('DELIVERY_SESSION_EXISTS', 'delivery', 'PT409', 'a session of this type is already open for the assignment',
 'use delivery.resend_code for a new code', 'At most one live DELIVERY and one live RETURN session per assignment.'),
('DELIVERY_RESEND_TOO_SOON', 'delivery', 'PT429', 'a new code was issued too recently',
 'wait OTP_RESEND_COOLDOWN_SECONDS between codes', 'Resends are rate-limited per session.'),
('DELIVERY_RESEND_LIMIT', 'delivery', 'PT429', 'no more codes for this session',
 'cancel the session and open a new one', 'A session issues at most 1 + OTP_MAX_RESENDS codes.'),
('DELIVERY_INVALID_INPUT', 'delivery', 'PT400', 'a delivery argument is malformed', NULL,
 'The detail names the argument (channel, session type, handover record).');

-- Internals ------------------------------------------------------------------------------------------

CREATE FUNCTION delivery.new_code()
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n bigint;
BEGIN
    -- Uniform over 000000..999999: 32 random bits, rejecting the top sliver that would bias the modulo.
    LOOP
        v_n := ('x' || encode(public.gen_random_bytes(4), 'hex'))::bit(32)::bigint & 4294967295;
        EXIT WHEN v_n < 4294000000;
    END LOOP;
    RETURN lpad((v_n % 1000000)::text, 6, '0');
END
$$;
COMMENT ON FUNCTION delivery.new_code() IS
'A fresh 6-digit code from a cryptographic source (pgcrypto gen_random_bytes), uniform by rejection sampling.';

CREATE FUNCTION delivery.code_hmac(p_key_id integer, p_session_id bigint, p_code text)
RETURNS bytea
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- PL/pgSQL rather than SQL: the query plan is cached (a SQL function with a SET clause is planned on every call).
    RETURN (SELECT public.hmac(convert_to(p_session_id || ':' || p_code, 'UTF8'), k.secret, 'sha256')
              FROM delivery.otp_key k WHERE k.id = p_key_id);
END
$$;
COMMENT ON FUNCTION delivery.code_hmac(integer, bigint, text) IS
'HMAC-SHA256 of "<session id>:<code>" under one of the OTP keys. Internal: granted to no application role.';

CREATE FUNCTION delivery.issue_code(p_session_id bigint, p_channel text, OUT o_code text, OUT o_expires_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key integer;
BEGIN
    SELECT k.id INTO v_key FROM delivery.otp_key k WHERE k.retired_at IS NULL;
    UPDATE delivery.otp SET status = 'SUPERSEDED' WHERE session_id = p_session_id AND status = 'ACTIVE';
    o_code := delivery.new_code();
    o_expires_at := clock_timestamp() + make_interval(mins => masterdata.setting_number('OTP_EXPIRY_MINUTES')::integer);
    INSERT INTO delivery.otp (session_id, code_hmac, key_id, channel, max_attempts, expires_at, created_at)
    VALUES (p_session_id, delivery.code_hmac(v_key, p_session_id, o_code), v_key, p_channel,
            masterdata.setting_number('OTP_MAX_ATTEMPTS')::integer, o_expires_at, clock_timestamp());
    UPDATE delivery.session SET codes_issued = codes_issued + 1, last_issued_at = clock_timestamp() WHERE id = p_session_id;
END
$$;
COMMENT ON FUNCTION delivery.issue_code(bigint, text) IS
'Internal: supersede the session''s active code and store a new one (only its keyed hash), valid OTP_EXPIRY_MINUTES
with OTP_MAX_ATTEMPTS tries; returns the code in clear — the only time it exists outside the caller.';

CREATE FUNCTION delivery.record_trust_outcome(p_provider_id bigint, p_outcome text, p_inputs jsonb DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_target integer := CASE p_outcome WHEN 'DELIVERED_ON_TIME' THEN 100 WHEN 'RETURN_COMPLETED' THEN 100
                                       WHEN 'DELIVERED_LATE' THEN 40 WHEN 'SESSION_LOCKED' THEN 0 END;
BEGIN
    IF v_target IS NULL THEN
        PERFORM core.raise('DELIVERY_INVALID_INPUT', format('unknown trust outcome %s', p_outcome));
    END IF;
    -- A pending event: parties.fold_trust_events applies it (old -> new) later, without the provider row lock here.
    INSERT INTO parties.trust_score_event (provider_id, target, reason, inputs)
    VALUES (p_provider_id, v_target, p_outcome,
            p_inputs || jsonb_build_object('target', v_target, 'weight', 0.1,
                                           'formula', 'new = round(old + 0.1 * (target - old))'));
END
$$;
COMMENT ON FUNCTION delivery.record_trust_outcome(bigint, text, jsonb) IS
'Internal: record a delivery outcome that moves a provider''s trust score — target 100 for a handover on time or a
completed return, 40 for a late handover, 0 for a session locked by wrong codes — as a pending
parties.trust_score_event with its inputs. parties.fold_trust_events (run by every tier recalculation and by
parties.apply_trust_events) applies it with new = round(old + 0.1 x (target - old)). No provider row lock: one INSERT
(the foreign key takes FOR KEY SHARE on the provider, which the fold''s FOR NO KEY UPDATE does not block).';

-- The provider side ----------------------------------------------------------------------------------------

CREATE FUNCTION delivery.start_session(p_assignment_id bigint, p_session_type text, p_channel text DEFAULT 'SMS')
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

CREATE FUNCTION delivery.resend_code(p_session_id bigint, p_channel text DEFAULT 'SMS')
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

CREATE FUNCTION delivery.cancel_session(p_session_id bigint)
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
                         OR EXISTS (SELECT 1 FROM parties.provider p
                                     WHERE p.id = v_s.provider_id AND p.user_id = (identity.current_actor()).user_id)) THEN
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

-- The business side ----------------------------------------------------------------------------------------

CREATE FUNCTION delivery.verify_code(p_session_id bigint, p_code text, p_handover jsonb DEFAULT '{}')
RETURNS TABLE (verified boolean, outcome text, attempts_left integer, session_status text)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor   identity.actor := identity.require_user();
    v_s       delivery.session;
    v_otp     delivery.otp;
    v_otp_id  bigint;
    v_a       contracts.assignment;
    v_outcome text;
BEGIN
    -- Input checks first: a malformed request is refused without consuming a try.
    IF p_code IS NULL OR p_code !~ '^[0-9]{6}$' THEN
        PERFORM core.raise('DELIVERY_INVALID_INPUT', 'p_code must be 6 digits');
    ELSIF p_handover IS NULL OR jsonb_typeof(p_handover) <> 'object'
          OR (p_handover ? 'photos' AND jsonb_typeof(p_handover -> 'photos') <> 'object')
          OR (p_handover ? 'odometer_km' AND ((p_handover ->> 'odometer_km') !~ '^[0-9]{1,9}$'))
          OR (p_handover ? 'fuel_level' AND (p_handover ->> 'fuel_level') NOT IN ('EMPTY', 'QUARTER', 'HALF', 'THREE_QUARTERS', 'FULL'))
          OR (p_handover ? 'notes' AND (jsonb_typeof(p_handover -> 'notes') <> 'string' OR length(p_handover ->> 'notes') > 4000))
          OR length(p_handover::text) > 20000 THEN
        PERFORM core.raise('DELIVERY_INVALID_INPUT',
                           'p_handover is {"photos": {view: url}, "odometer_km": n, "fuel_level": EMPTY|QUARTER|HALF|THREE_QUARTERS|FULL, "notes": text}');
    END IF;
    SELECT * INTO v_s FROM delivery.session WHERE id = p_session_id FOR UPDATE;
    -- The session's business (the usual caller) is checked first; the admin check only when that fails.
    IF NOT FOUND OR NOT (EXISTS (SELECT 1 FROM parties.business b WHERE b.id = v_s.business_id AND b.user_id = v_actor.user_id)
                         OR parties.is_marketplace_admin()) THEN
        PERFORM core.raise('DELIVERY_UNKNOWN_SESSION', format('session %s', p_session_id));
    END IF;
    IF v_s.status <> 'PENDING' THEN
        RETURN QUERY SELECT false, CASE v_s.status WHEN 'LOCKED' THEN 'LOCKED' ELSE 'SESSION_CLOSED' END, 0, v_s.status;
        RETURN;
    END IF;

    -- The one success: the session's live code, unexpired and matching, becomes USED in one conditional UPDATE
    -- (at most one ACTIVE code per session; the session row lock serialises concurrent tries).
    UPDATE delivery.otp o SET status = 'USED', used_at = clock_timestamp()
     WHERE o.session_id = p_session_id AND o.status = 'ACTIVE' AND o.expires_at > clock_timestamp()
       AND o.code_hmac = delivery.code_hmac(o.key_id, p_session_id, p_code)
    RETURNING o.id INTO v_otp_id;

    IF v_otp_id IS NULL THEN
        -- A failure: no live code, an expired one, or a wrong code (the UPDATE above matched nothing).
        SELECT * INTO v_otp FROM delivery.otp WHERE session_id = p_session_id AND status = 'ACTIVE' FOR UPDATE;
        IF NOT FOUND THEN
            v_outcome := 'NO_ACTIVE_CODE';
        ELSIF v_otp.expires_at <= clock_timestamp() THEN
            v_outcome := 'EXPIRED';
            UPDATE delivery.otp SET status = 'EXPIRED' WHERE id = v_otp.id;
        ELSE
            v_outcome := 'WRONG_CODE';
            UPDATE delivery.otp SET attempts = attempts + 1,
                                    status = CASE WHEN attempts + 1 >= max_attempts THEN 'EXHAUSTED' ELSE status END
             WHERE id = v_otp.id;
        END IF;
        INSERT INTO delivery.otp_attempt (session_id, otp_id, outcome, actor_id) VALUES (p_session_id, v_otp.id, v_outcome, v_actor.user_id);
        UPDATE delivery.session SET failures = failures + 1,
                                    status = CASE WHEN failures + 1 >= failure_budget THEN 'LOCKED' ELSE status END
         WHERE id = p_session_id RETURNING * INTO v_s;
        IF v_s.status = 'LOCKED' THEN
            UPDATE delivery.otp SET status = 'EXHAUSTED' WHERE session_id = p_session_id AND status = 'ACTIVE';
            PERFORM audit.record('delivery', 'session', p_session_id::text, 'LOCKED', NULL, jsonb_build_object('failures', v_s.failures));
            PERFORM delivery.record_trust_outcome(v_s.provider_id, 'SESSION_LOCKED',
                                                  jsonb_build_object('session_id', p_session_id, 'failures', v_s.failures));
        END IF;
        RETURN QUERY SELECT false, CASE WHEN v_s.status = 'LOCKED' THEN 'LOCKED' ELSE v_outcome END,
                            CASE WHEN v_s.status = 'LOCKED' THEN 0
                                 ELSE least(v_s.failure_budget - v_s.failures,
                                            coalesce((SELECT o.max_attempts - o.attempts FROM delivery.otp o
                                                       WHERE o.session_id = p_session_id AND o.status = 'ACTIVE'), 0)) END,
                            v_s.status;
        RETURN;
    END IF;

    -- The attempt, the session and the handover record in one statement.
    WITH attempt AS (
        INSERT INTO delivery.otp_attempt (session_id, otp_id, outcome, actor_id)
        VALUES (p_session_id, v_otp_id, 'VERIFIED', v_actor.user_id)),
    closed AS (
        UPDATE delivery.session SET status = 'VERIFIED', verified_at = clock_timestamp() WHERE id = p_session_id)
    INSERT INTO delivery.handover (session_id, photos, odometer_km, fuel_level, notes)
    VALUES (p_session_id, coalesce(p_handover -> 'photos', '{}'), (p_handover ->> 'odometer_km')::integer,
            p_handover ->> 'fuel_level', coalesce(p_handover ->> 'notes', ''));
    IF v_s.session_type = 'DELIVERY' THEN
        UPDATE contracts.assignment SET status = 'ACTIVE', started_on = current_date, updated_at = now()
         WHERE id = v_s.assignment_id AND status = 'PENDING_DELIVERY'
        RETURNING * INTO v_a;
        IF NOT FOUND THEN
            PERFORM core.raise('DELIVERY_INVALID_STATE', format('assignment %s is no longer pending delivery', v_s.assignment_id));
        END IF;
        PERFORM delivery.record_trust_outcome(v_s.provider_id,
                                              CASE WHEN current_date <= lower(v_a.period) THEN 'DELIVERED_ON_TIME' ELSE 'DELIVERED_LATE' END,
                                              jsonb_build_object('session_id', p_session_id, 'due', lower(v_a.period), 'delivered', current_date));
    ELSE
        UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date, updated_at = now()
         WHERE id = v_s.assignment_id AND status = 'ACTIVE'
        RETURNING * INTO v_a;
        IF NOT FOUND THEN
            PERFORM core.raise('DELIVERY_INVALID_STATE', format('assignment %s is not in use', v_s.assignment_id));
        END IF;
        PERFORM contracts.release_unearned(v_a.contract_id);
        PERFORM delivery.record_trust_outcome(v_s.provider_id, 'RETURN_COMPLETED',
                                              jsonb_build_object('session_id', p_session_id, 'returned', current_date));
    END IF;
    PERFORM audit.record('delivery', 'session', p_session_id::text, 'VERIFIED', NULL,
                         jsonb_build_object('assignment_id', v_s.assignment_id, 'type', v_s.session_type));
    RETURN QUERY SELECT true, 'VERIFIED'::text, 0, 'VERIFIED'::text;
END
$$;
COMMENT ON FUNCTION delivery.verify_code(bigint, text, jsonb) IS
'The business confirms a handover with the code it received. A correct code is used once: the session is VERIFIED, the
handover (photos, odometer_km, fuel_level, notes) recorded, and the assignment starts (DELIVERY: ACTIVE from today) or
ends (RETURN: RETURNED today, the unearned escrow released); the outcome that moves the provider''s trust score is
recorded (a pending parties.trust_score_event, folded into the score by the tier job). A wrong, expired or
superseded code is NOT an error: the call returns verified = false with the outcome and the tries left, and the failed
attempt is committed — OTP_MAX_ATTEMPTS wrong tries kill a code, OTP_SESSION_FAILURE_BUDGET failures (across resends)
lock the session. Over HTTP both answers are 200; check "verified". Errors (nothing counted): DELIVERY_INVALID_INPUT,
DELIVERY_UNKNOWN_SESSION, IDENTITY_NOT_AUTHENTICATED. Locks the session, its code, then the assignment.
Assumes READ COMMITTED.';

CREATE FUNCTION delivery.session_status(p_session_id bigint)
RETURNS TABLE (session_id bigint, assignment_id bigint, session_type text, status text, failures integer,
               failure_budget integer, codes_issued integer, code_expires_at timestamptz, verified_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user bigint := (identity.require_user()).user_id;
BEGIN
    RETURN QUERY
    SELECT s.id, s.assignment_id, s.session_type, s.status, s.failures, s.failure_budget, s.codes_issued,
           (SELECT o.expires_at FROM delivery.otp o WHERE o.session_id = s.id AND o.status = 'ACTIVE'), s.verified_at
      FROM delivery.session s
     WHERE s.id = p_session_id
       AND (parties.is_marketplace_admin()
            OR s.business_id IN (SELECT b.id FROM parties.business b WHERE b.user_id = v_user)
            OR s.provider_id IN (SELECT p.id FROM parties.provider p WHERE p.user_id = v_user));
    IF NOT FOUND THEN
        PERFORM core.raise('DELIVERY_UNKNOWN_SESSION', format('session %s', p_session_id));
    END IF;
END
$$;
COMMENT ON FUNCTION delivery.session_status(bigint) IS
'A session as its parties see it (never the code or its hash). Errors: IDENTITY_NOT_AUTHENTICATED, DELIVERY_UNKNOWN_SESSION.';

CREATE FUNCTION delivery.expire_codes()
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n integer;
BEGIN
    PERFORM parties.require_admin();
    UPDATE delivery.otp SET status = 'EXPIRED' WHERE status = 'ACTIVE' AND expires_at <= clock_timestamp();
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION delivery.expire_codes() IS
'Sweep: mark every active code past its expiry EXPIRED (verification already refuses them; this keeps the table
tidy). Returns how many. Caller: the service role or an admin. Error: IDENTITY_PERMISSION_DENIED.';

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
