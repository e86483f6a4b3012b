-- Deploy mercato:functions/identity/sessions to pg
-- Sign-in and sessions (issue 17): access JWTs signed in the database (HS256 with pgcrypto's hmac, base64url; claims
-- sub, role, tenant, sid, iat, exp, jti), opaque refresh tokens returned once and stored as SHA-256 hashes, rotation
-- with reuse detection (an already-used refresh token revokes its whole session), sign-out, the caller's sessions with
-- the device and IP from PostgREST's request.headers, revocation, and the brute-force throttle.
-- A failed sign-in or refresh must be committed although the caller is refused, and PostgREST (like the library) rolls
-- a request back when it raises: sign_in and refresh therefore do not raise on those refusals. They return an error
-- row (identity.auth_result.error / message) and set the HTTP status through PostgREST's response.status setting (401,
-- 429 with Retry-After), so the failure count and the family revocation are committed with the answer.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE TYPE identity.auth_result AS (
    access_token       text,         -- the JWT (NULL on error)
    token_type         text,         -- 'bearer'
    expires_at         timestamptz,  -- of the access token ("exp")
    refresh_token      text,         -- opaque, shown once
    refresh_expires_at timestamptz,
    session_id         bigint,
    error              text,         -- a core.error code when refused, else NULL
    message            text,
    retry_after        integer       -- seconds, for IDENTITY_SIGN_IN_LOCKED
);
COMMENT ON TYPE identity.auth_result IS
'The answer of a sign-in or refresh: a token pair, or an error code (committed refusal; HTTP status in response.status).';

CREATE OR REPLACE FUNCTION identity.base64url(p_data bytea)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN translate(encode(p_data, 'base64'), E'+/=\n', '-_');
COMMENT ON FUNCTION identity.base64url(bytea) IS
'Base64url without padding (RFC 7515 section 2), as JWTs encode their parts.';

CREATE OR REPLACE FUNCTION identity.set_jwt_secret(p_secret text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_secret IS NULL OR octet_length(p_secret) < 32 THEN
        PERFORM core.raise('IDENTITY_JWT_SECRET_WEAK', format('%s bytes', coalesce(octet_length(p_secret), 0)));
    END IF;
    INSERT INTO identity.jwt_secret (id, secret) VALUES (1, p_secret)
    ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, set_at = now();
    PERFORM audit.record('identity', 'identity.jwt_secret', '1', 'JWT_SECRET_SET');   -- no value
END
$$;
COMMENT ON FUNCTION identity.set_jwt_secret(text) IS
'Set the HS256 key access JWTs are signed with (at least 32 bytes; the same as PostgREST''s jwt-secret). Owner only:
granted to no API role; the DBA runs mercato auth set-secret (from stdin or MERCATO_JWT_SECRET, never argv). Tokens
signed with the previous key stop verifying. Errors: IDENTITY_JWT_SECRET_WEAK.';

CREATE OR REPLACE FUNCTION identity.sign_jwt(p_claims jsonb)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_secret text;
    v_input  text;
BEGIN
    SELECT s.secret INTO v_secret FROM identity.jwt_secret s WHERE s.id = 1;
    IF v_secret IS NULL THEN
        PERFORM core.raise('IDENTITY_JWT_SECRET_MISSING', 'identity.jwt_secret is empty');
    END IF;
    v_input := identity.base64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.'
            || identity.base64url(convert_to(p_claims::text, 'UTF8'));
    RETURN v_input || '.' || identity.base64url(public.hmac(convert_to(v_input, 'UTF8'), convert_to(v_secret, 'UTF8'), 'sha256'));
END
$$;
COMMENT ON FUNCTION identity.sign_jwt(jsonb) IS
'A compact JWS of the claims: HS256 (HMAC-SHA256 with identity.jwt_secret), base64url header and payload, as PostgREST
verifies it. Internal. Errors: IDENTITY_JWT_SECRET_MISSING.';

CREATE OR REPLACE FUNCTION identity.request_device(OUT user_agent text, OUT ip_address text)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_headers jsonb;
BEGIN
    BEGIN
        v_headers := nullif(current_setting('request.headers', true), '')::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        v_headers := NULL;
    END;
    IF jsonb_typeof(v_headers) = 'object' THEN
        user_agent := left(v_headers ->> 'user-agent', 512);
        ip_address := left(btrim(split_part(v_headers ->> 'x-forwarded-for', ',', 1)), 64);
    END IF;
END
$$;
COMMENT ON FUNCTION identity.request_device() IS
'The device and address of the request, from PostgREST''s request.headers setting: User-Agent (512 characters at most)
and the first (client) address of X-Forwarded-For. NULLs when absent or unparsable. What the caller says: shown to the
user, never trusted for a decision.';

CREATE OR REPLACE FUNCTION identity.http_refusal(p_code text, p_detail text DEFAULT NULL, p_retry_after integer DEFAULT NULL)
RETURNS identity.auth_result
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_error  core.error;
    v_result identity.auth_result;
BEGIN
    SELECT * INTO STRICT v_error FROM core.error e WHERE e.code = p_code;
    PERFORM set_config('response.status', substr(v_error.sqlstate, 3), true);
    IF p_retry_after IS NOT NULL THEN
        PERFORM set_config('response.headers', jsonb_build_array(jsonb_build_object('Retry-After', p_retry_after::text))::text, true);
    END IF;
    v_result.error := v_error.code;
    v_result.message := v_error.message || coalesce(' (' || p_detail || ')', '');
    v_result.retry_after := p_retry_after;
    RETURN v_result;
END
$$;
COMMENT ON FUNCTION identity.http_refusal(text, text, integer) IS
'A refusal that is committed: an identity.auth_result carrying a catalogued code and its message, with PostgREST''s
response.status set to the code''s HTTP status (PTxyz) and Retry-After when given. Internal (sign_in, refresh).';

CREATE OR REPLACE FUNCTION identity.issue_tokens(p_user_id bigint, p_session_id bigint)
RETURNS identity.auth_result
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user    identity.user_account;
    v_session identity.session;
    v_iat     bigint := floor(extract(epoch FROM now()))::bigint;
    v_exp     bigint := v_iat + 60 * masterdata.setting_number('AUTH_ACCESS_TOKEN_MINUTES')::bigint;
    v_result  identity.auth_result;
BEGIN
    SELECT * INTO STRICT v_user FROM identity.user_account WHERE id = p_user_id;
    SELECT * INTO STRICT v_session FROM identity.session WHERE id = p_session_id;
    v_result.access_token := identity.sign_jwt(jsonb_strip_nulls(jsonb_build_object(
        'sub', v_user.auth_subject, 'role', 'mercato_user', 'tenant', v_user.tenant_id, 'sid', p_session_id,
        'iat', v_iat, 'exp', v_exp, 'jti', gen_random_uuid())));
    v_result.token_type := 'bearer';
    v_result.expires_at := to_timestamp(v_exp);
    v_result.refresh_token := identity.base64url(public.gen_random_bytes(32));
    v_result.refresh_expires_at := v_session.expires_at;
    v_result.session_id := p_session_id;
    INSERT INTO identity.token (purpose, user_id, session_id, token_hash, expires_at)
    VALUES ('REFRESH', p_user_id, p_session_id, public.digest(v_result.refresh_token, 'sha256'), v_session.expires_at);
    RETURN v_result;
END
$$;
COMMENT ON FUNCTION identity.issue_tokens(bigint, bigint) IS
'A new token pair for a session: an access JWT (sub, role mercato_user, tenant, sid, iat, exp = iat +
AUTH_ACCESS_TOKEN_MINUTES, jti) and a refresh token of 32 random bytes, stored only as its SHA-256, valid until the
session expires. Internal.';

CREATE OR REPLACE FUNCTION identity.open_session(p_user_id bigint)
RETURNS identity.auth_result
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_device     record := identity.request_device();
    v_session_id bigint;
BEGIN
    INSERT INTO identity.session (user_id, user_agent, ip_address, expires_at)
    VALUES (p_user_id, v_device.user_agent, v_device.ip_address,
            now() + make_interval(days => masterdata.setting_number('AUTH_REFRESH_TOKEN_DAYS')::integer))
    RETURNING id INTO v_session_id;
    RETURN identity.issue_tokens(p_user_id, v_session_id);
END
$$;
COMMENT ON FUNCTION identity.open_session(bigint) IS
'A new session of a user whose credentials were just checked, with the request''s device and IP, living
AUTH_REFRESH_TOKEN_DAYS, and its first token pair (identity.issue_tokens). Internal: the one way a sign-in ends, by
password (sign_in) or by a linked OAuth account (sign_in_oauth).';

CREATE OR REPLACE FUNCTION identity.sign_in(p_login text, p_password text, p_tenant_code text DEFAULT NULL)
RETURNS identity.auth_result
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant_key bigint := 0;
    v_login      text := coalesce(left((identity.parse_login(p_login)).value, 256), left(lower(btrim(p_login)), 256), '');
    v_throttle   identity.sign_in_throttle;
    v_user_id    bigint;
    v_status     text;
    v_hash       text;
    v_ok         boolean := false;
    v_cost       integer := masterdata.setting_number('AUTH_BCRYPT_COST')::integer;
    v_after      integer := masterdata.setting_number('AUTH_LOCK_AFTER_FAILURES')::integer;
BEGIN
    IF p_tenant_code IS NOT NULL THEN
        SELECT t.id INTO v_tenant_key FROM identity.tenant t WHERE t.code = p_tenant_code;
        IF NOT FOUND THEN   -- tenant codes are public; still the same answer and the same work
            PERFORM public.crypt(coalesce(p_password, ''), public.gen_salt('bf', v_cost));
            RETURN identity.http_refusal('IDENTITY_SIGN_IN_FAILED');
        END IF;
    END IF;
    -- One row per login tried, known or not; its lock serializes attempts on one login (no parallel guessing). The
    -- job identity.purge_throttle may delete the row between the two statements: then it is inserted again.
    LOOP
        INSERT INTO identity.sign_in_throttle (tenant_key, login) VALUES (v_tenant_key, v_login) ON CONFLICT DO NOTHING;
        SELECT * INTO v_throttle FROM identity.sign_in_throttle
         WHERE tenant_key = v_tenant_key AND login = v_login FOR UPDATE;
        EXIT WHEN FOUND;
    END LOOP;
    IF v_throttle.locked_until > now() THEN
        RETURN identity.http_refusal('IDENTITY_SIGN_IN_LOCKED', format('until %s', v_throttle.locked_until),
                                     ceil(extract(epoch FROM v_throttle.locked_until - now()))::integer);
    END IF;
    SELECT u.id, u.status, p.password_hash INTO v_user_id, v_status, v_hash
      FROM identity.login_identifier li
      JOIN identity.user_account u ON u.id = li.user_id
      LEFT JOIN identity.password p ON p.user_id = u.id
     WHERE li.tenant_key = v_tenant_key AND li.value = v_login;
    IF v_hash IS NOT NULL THEN
        v_ok := public.crypt(coalesce(p_password, ''), v_hash) = v_hash;
    ELSE   -- unknown login, or no password: one bcrypt of the same cost all the same (comparable timing)
        PERFORM public.crypt(coalesce(p_password, ''), public.gen_salt('bf', v_cost));
    END IF;
    IF NOT v_ok OR v_status <> 'ACTIVE' THEN
        UPDATE identity.sign_in_throttle
           SET failures = CASE WHEN last_failure_at < now() - interval '1 day' THEN 1 ELSE failures + 1 END,
               last_failure_at = now()
         WHERE tenant_key = v_tenant_key AND login = v_login
        RETURNING * INTO v_throttle;
        IF v_throttle.failures >= v_after THEN
            UPDATE identity.sign_in_throttle
               SET locked_until = now() + make_interval(secs => least(
                       masterdata.setting_number('AUTH_LOCK_SECONDS') * power(2, least(v_throttle.failures - v_after, 30)),
                       masterdata.setting_number('AUTH_LOCK_MAX_SECONDS')))
             WHERE tenant_key = v_tenant_key AND login = v_login;
        END IF;
        RETURN identity.http_refusal('IDENTITY_SIGN_IN_FAILED');
    END IF;
    UPDATE identity.sign_in_throttle SET failures = 0, locked_until = NULL, last_failure_at = NULL
     WHERE tenant_key = v_tenant_key AND login = v_login AND (failures > 0 OR locked_until IS NOT NULL);
    UPDATE identity.password
       SET last_sign_in_at = now(),
           -- a hash of another cost than AUTH_BCRYPT_COST is renewed now that the password is known
           password_hash = CASE WHEN substr(password_hash, 5, 2)::integer <> v_cost
                                THEN identity.hash_password(p_password) ELSE password_hash END
     WHERE user_id = v_user_id;
    RETURN identity.open_session(v_user_id);
END
$$;
COMMENT ON FUNCTION identity.sign_in(text, text, text) IS
'Sign in with a login (e-mail, phone or username) and a password, in the tenant named by its code (NULL: platform
users): a new session and its token pair (access JWT, refresh token shown once, expiries); records the last sign-in.
Refusals are answered, not raised, so that they are committed (PostgREST rolls back on error): error
IDENTITY_SIGN_IN_FAILED (HTTP 401) for an unknown login, a wrong password, a user without a password or not ACTIVE — one
code and message, and one bcrypt computation either way, so accounts cannot be enumerated; IDENTITY_SIGN_IN_LOCKED (429,
Retry-After) while the login is locked (AUTH_LOCK_AFTER_FAILURES failures, then AUTH_LOCK_SECONDS doubling up to
AUTH_LOCK_MAX_SECONDS; known and unknown logins alike). Raises only IDENTITY_JWT_SECRET_MISSING.
Assumes READ COMMITTED; attempts on one login queue on its throttle row.';

CREATE OR REPLACE FUNCTION identity.refresh(p_refresh_token text)
RETURNS identity.auth_result
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_token   identity.token;
    v_session identity.session;
    v_status  text;
BEGIN
    SELECT * INTO v_token FROM identity.token t
     WHERE t.token_hash = public.digest(coalesce(p_refresh_token, ''), 'sha256') AND t.purpose = 'REFRESH';
    IF NOT FOUND THEN
        RETURN identity.http_refusal('IDENTITY_REFRESH_INVALID');
    END IF;
    -- one order: the session, then its token
    SELECT * INTO STRICT v_session FROM identity.session WHERE id = v_token.session_id FOR UPDATE;
    SELECT * INTO STRICT v_token FROM identity.token WHERE id = v_token.id FOR UPDATE;
    IF v_token.used_at IS NOT NULL THEN
        -- reuse: someone holds a copy of a rotated token; the whole family dies (OAuth 2.0 Security BCP)
        UPDATE identity.session SET status = 'REUSE_DETECTED', ended_at = now() WHERE id = v_session.id AND status = 'ACTIVE';
        RETURN identity.http_refusal('IDENTITY_REFRESH_INVALID', 'already used: the session is revoked');
    END IF;
    SELECT u.status INTO v_status FROM identity.user_account u WHERE u.id = v_session.user_id;
    IF v_session.status <> 'ACTIVE' OR v_token.expires_at <= now() OR v_status <> 'ACTIVE' THEN
        RETURN identity.http_refusal('IDENTITY_REFRESH_INVALID');
    END IF;
    UPDATE identity.token SET used_at = now() WHERE id = v_token.id;
    UPDATE identity.session SET last_refreshed_at = now() WHERE id = v_session.id;
    RETURN identity.issue_tokens(v_session.user_id, v_session.id);
END
$$;
COMMENT ON FUNCTION identity.refresh(text) IS
'Rotate a refresh token: the presented one is used up and a new pair of the same session is returned (the session keeps
its expiry). Presenting an already-used refresh token revokes the whole session (REUSE_DETECTED; OAuth 2.0 Security
BCP reuse detection). Refusals are answered and committed: error IDENTITY_REFRESH_INVALID (HTTP 401) for an unknown,
used, expired or revoked token or a user not ACTIVE. Assumes READ COMMITTED; locks the session, then the token.';

CREATE OR REPLACE FUNCTION identity.current_session_id()
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sid text := identity.claims() ->> 'sid';
BEGIN
    RETURN CASE WHEN v_sid ~ '^[0-9]{1,18}$' THEN v_sid::bigint END;
END
$$;
COMMENT ON FUNCTION identity.current_session_id() IS
'The session of the request''s JWT (claim "sid"), NULL for a token not issued by sign-in. Internal.';

CREATE OR REPLACE FUNCTION identity.sign_out()
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    UPDATE identity.session SET status = 'SIGNED_OUT', ended_at = now()
     WHERE id = identity.current_session_id() AND user_id = v_actor.user_id AND status = 'ACTIVE';
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_SESSION', 'the token names no active session ("sid")');
    END IF;
END
$$;
COMMENT ON FUNCTION identity.sign_out() IS
'End the session of the calling JWT ("sid"): its refresh tokens die and its access tokens are refused at once.
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_UNKNOWN_SESSION.';

CREATE OR REPLACE FUNCTION identity.my_sessions()
RETURNS TABLE (session_id bigint, status text, user_agent text, ip_address text, created_at timestamptz,
               last_refreshed_at timestamptz, expires_at timestamptz, ended_at timestamptz, current boolean)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    RETURN QUERY
    SELECT s.id, s.status, s.user_agent, s.ip_address, s.created_at, s.last_refreshed_at, s.expires_at, s.ended_at,
           s.id IS NOT DISTINCT FROM identity.current_session_id()
      FROM identity.session s
     WHERE s.user_id = v_actor.user_id
     ORDER BY s.id DESC
     LIMIT 100;
END
$$;
COMMENT ON FUNCTION identity.my_sessions() IS
'The caller''s sessions, newest first (at most 100): status, device (User-Agent) and IP address at sign-in, times, and
whether it is the calling one. Errors: IDENTITY_NOT_AUTHENTICATED.';

CREATE OR REPLACE FUNCTION identity.revoke_session(p_session_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    UPDATE identity.session SET status = 'REVOKED', ended_at = now()
     WHERE id = p_session_id AND user_id = v_actor.user_id AND status = 'ACTIVE';
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM identity.session s WHERE s.id = p_session_id AND s.user_id = v_actor.user_id) THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_SESSION', format('session %s', p_session_id));
    END IF;
END
$$;
COMMENT ON FUNCTION identity.revoke_session(bigint) IS
'The caller ends one of its sessions (a lost device): its refresh tokens die and its access tokens are refused at once.
An already-ended session stays as it is. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_UNKNOWN_SESSION (another
user''s session is as if absent).';

CREATE OR REPLACE FUNCTION identity.revoke_all_sessions()
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN identity.revoke_all_tokens((identity.require_user()).user_id);
END
$$;
COMMENT ON FUNCTION identity.revoke_all_sessions() IS
'The caller ends every session of its own, the calling one included, and moves tokens_valid_after to now, so every
JWT issued before is refused; returns the number of sessions ended. Errors: IDENTITY_NOT_AUTHENTICATED.';

COMMIT;
