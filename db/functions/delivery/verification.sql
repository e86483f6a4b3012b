-- Deploy mercato:functions/delivery/verification to pg
-- The business confirms a handover with its code: verify (single use, per-code attempt limit, per-session failure
-- budget that survives resends), the handover record, the assignment's start or end, and the outcome that moves the
-- provider's trust score (folded in by the tier job).
--
-- A wrong code is an answer, not an error: verify_code returns verified = false and COMMITS the failed attempt
-- (raising would roll the counter back and give an attacker unlimited tries).

BEGIN;

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
    IF NOT FOUND OR NOT (parties.acts_for_business(v_s.business_id) OR parties.is_marketplace_admin()) THEN
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

-- No API role executes these: the api wrappers (SECURITY DEFINER) call them as the owner (CONVENTIONS.md, Functions).

COMMIT;
