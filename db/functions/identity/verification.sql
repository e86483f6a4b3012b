-- Deploy mercato:functions/identity/verification to pg
-- Verification of a login (e-mail or phone) and password reset (issue 17, second half), through the outbox: a token
-- of 32 random bytes (base64url) is kept only as its SHA-256 in identity.token, bound to the login it is sent to, and
-- leaves the database only as the secret of its outbox message (template identity.verify_login or
-- identity.reset_password, EMAIL to an e-mail login, SMS to a phone), enqueued in the transaction that stores it. Tokens
-- are used once, expire, and a newer request for a login supersedes the unused ones. A password reset ends every
-- session and access token of the user and marks the login verified. Audit events carry no token and no password.
-- Lock order everywhere: the login identifier, then its tokens, then the password, the user and its sessions.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.token_wait(p_login_identifier_id bigint, p_purpose text)
RETURNS integer
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cooldown numeric := masterdata.setting_number('AUTH_TOKEN_COOLDOWN_SECONDS');
    v_per_day  integer := masterdata.setting_number('AUTH_TOKENS_PER_DAY')::integer;
    v_count    integer;
    v_first    timestamptz;
    v_last     timestamptz;
BEGIN
    SELECT count(*), min(t.created_at), max(t.created_at) INTO v_count, v_first, v_last
      FROM identity.token t
     WHERE t.login_identifier_id = p_login_identifier_id AND t.purpose = p_purpose
       AND t.created_at > now() - interval '1 day';
    IF v_count >= v_per_day THEN
        RETURN greatest(ceil(extract(epoch FROM v_first + interval '1 day' - now())), 1)::integer;
    ELSIF v_last > now() - make_interval(secs => v_cooldown) THEN
        RETURN greatest(ceil(extract(epoch FROM v_last + make_interval(secs => v_cooldown) - now())), 1)::integer;
    END IF;
    RETURN 0;
END
$$;
COMMENT ON FUNCTION identity.token_wait(bigint, text) IS
'Seconds to wait before another token of p_purpose may be sent to the login (0: it may be sent now).
Until AUTH_TOKEN_COOLDOWN_SECONDS have passed since the last one; or, when AUTH_TOKENS_PER_DAY were sent in the last
24 hours, until the oldest of them is a day old. Internal. Assumes READ COMMITTED; the caller holds the login''s lock.';

CREATE OR REPLACE FUNCTION identity.send_login_token(p_login_identifier_id bigint, p_purpose text,
                                                     OUT o_token_id bigint, OUT o_expires_at timestamptz,
                                                     OUT o_message_id bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_login    identity.login_identifier;
    v_tenant   bigint;
    v_minutes  integer := masterdata.setting_number(CASE p_purpose WHEN 'VERIFY_LOGIN' THEN 'AUTH_VERIFY_TOKEN_MINUTES'
                                                                   ELSE 'AUTH_RESET_TOKEN_MINUTES' END)::integer;
    v_template text := CASE p_purpose WHEN 'VERIFY_LOGIN' THEN 'identity.verify_login' ELSE 'identity.reset_password' END;
    v_token    text := identity.base64url(public.gen_random_bytes(32));
BEGIN
    SELECT * INTO STRICT v_login FROM identity.login_identifier li WHERE li.id = p_login_identifier_id;
    SELECT u.tenant_id INTO v_tenant FROM identity.user_account u WHERE u.id = v_login.user_id;
    -- the unused tokens sent before for this login and purpose are superseded: they expire now
    UPDATE identity.token t SET expires_at = now()
     WHERE t.login_identifier_id = v_login.id AND t.purpose = p_purpose AND t.used_at IS NULL AND t.expires_at > now();
    o_expires_at := now() + make_interval(mins => v_minutes);
    INSERT INTO identity.token (purpose, user_id, login_identifier_id, token_hash, expires_at)
    VALUES (p_purpose, v_login.user_id, v_login.id, public.digest(v_token, 'sha256'), o_expires_at)
    RETURNING id INTO o_token_id;
    o_message_id := outbox.enqueue(
        CASE v_login.kind WHEN 'EMAIL' THEN 'EMAIL' ELSE 'SMS' END, v_login.value, v_template,
        jsonb_build_object('login_kind', v_login.kind, 'expires_at', o_expires_at, 'minutes', v_minutes),
        jsonb_build_object('token', v_token),
        v_template || ':' || o_token_id,
        v_tenant);
END
$$;
COMMENT ON FUNCTION identity.send_login_token(bigint, text) IS
'Internal: a new VERIFY_LOGIN or RESET_PASSWORD token of an e-mail or phone login, stored hashed and enqueued at once.
32 random bytes in base64url, stored only as its SHA-256 (identity.token, bound to the login), expiring after
AUTH_VERIFY_TOKEN_MINUTES or AUTH_RESET_TOKEN_MINUTES; the unused tokens of the same login and purpose are superseded
(they expire now). The message, in the same transaction: channel EMAIL to an e-mail login or SMS to a phone, recipient
the login, template identity.verify_login or identity.reset_password, params login_kind, expires_at, minutes (never
the token), the token as the message''s secret {"token": …} (readable by the claiming sender until SENT or DEAD),
dedupe key <template>:<token id>, the user''s tenant. Returns the token id, its expiry and the message id. The caller
checked the cooldown (identity.token_wait) and holds the login''s lock. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION identity.consume_token(p_token text, p_purpose text)
RETURNS identity.token
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_token identity.token;
BEGIN
    SELECT * INTO v_token FROM identity.token t
     WHERE t.token_hash = public.digest(coalesce(p_token, ''), 'sha256') AND t.purpose = p_purpose;
    IF FOUND THEN
        -- one order: the login, then its token (as send_login_token)
        PERFORM FROM identity.login_identifier li WHERE li.id = v_token.login_identifier_id FOR NO KEY UPDATE;
        UPDATE identity.token t SET used_at = now()
         WHERE t.id = v_token.id AND t.used_at IS NULL AND t.expires_at > now()
           AND EXISTS (SELECT FROM identity.user_account u WHERE u.id = t.user_id AND u.status = 'ACTIVE')
        RETURNING * INTO v_token;
    END IF;
    IF NOT FOUND THEN   -- unknown, used, expired, superseded, or its user not ACTIVE: one answer
        PERFORM core.raise('IDENTITY_TOKEN_INVALID', lower(replace(p_purpose, '_', ' ')) || ' token');
    END IF;
    RETURN v_token;
END
$$;
COMMENT ON FUNCTION identity.consume_token(text, text) IS
'Internal: use up the token of p_purpose whose SHA-256 matches p_token, or raise IDENTITY_TOKEN_INVALID.
Refused (400) unless it is unused, unexpired (not superseded) and of an ACTIVE user. The caller''s transaction
decides: an error after it rolls the use back. Assumes READ COMMITTED; locks the login, then the token (one
conditional UPDATE: of two concurrent uses one wins, the other is refused).';

CREATE OR REPLACE FUNCTION identity.request_verification(p_login text, OUT o_login text, OUT o_expires_at timestamptz,
                                                         OUT o_message_id bigint)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_login identity.login_identifier;
    v_wait  integer;
BEGIN
    SELECT * INTO v_login FROM identity.login_identifier li
     WHERE li.user_id = v_actor.user_id AND li.value = (identity.parse_login(p_login)).value
       FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_LOGIN', format('user %s', v_actor.user_id));
    ELSIF v_login.kind NOT IN ('EMAIL', 'PHONE') THEN
        PERFORM core.raise('IDENTITY_LOGIN_NOT_DELIVERABLE', format('login %s is a username', v_login.id));
    ELSIF v_login.verified_at IS NOT NULL THEN
        PERFORM core.raise('IDENTITY_LOGIN_VERIFIED', format('login %s since %s', v_login.id, v_login.verified_at));
    END IF;
    v_wait := identity.token_wait(v_login.id, 'VERIFY_LOGIN');
    IF v_wait > 0 THEN
        PERFORM core.raise('IDENTITY_TOKEN_COOLDOWN', format('retry in %s s', v_wait));
    END IF;
    SELECT s.o_expires_at, s.o_message_id INTO o_expires_at, o_message_id
      FROM identity.send_login_token(v_login.id, 'VERIFY_LOGIN') s;
    o_login := v_login.value;
    PERFORM audit.record('identity', 'identity.login_identifier', v_login.id::text, 'VERIFICATION_REQUESTED');
END
$$;
COMMENT ON FUNCTION identity.request_verification(text) IS
'Send a verification token to one of the caller''s own e-mail or phone logins, through the outbox.
A VERIFY_LOGIN token is stored hashed and sent (template identity.verify_login, EMAIL or SMS to the login, the token as
the message''s secret; identity.send_login_token), valid AUTH_VERIFY_TOKEN_MINUTES; earlier unused ones of that login
are superseded. Returns the login (normalized), the token''s expiry and the outbox message id, never the token. A
token goes to a login at most once per AUTH_TOKEN_COOLDOWN_SECONDS and AUTH_TOKENS_PER_DAY times in 24 hours
(identity.token_wait). Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_UNKNOWN_LOGIN (404; another user''s login is as if
absent), IDENTITY_LOGIN_NOT_DELIVERABLE (a username), IDENTITY_LOGIN_VERIFIED (409), IDENTITY_TOKEN_COOLDOWN (429, the
detail says how long to wait). Assumes READ COMMITTED; locks the login first, so concurrent requests for one login
queue.';

CREATE OR REPLACE FUNCTION identity.verify_login(p_token text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_token identity.token := identity.consume_token(p_token, 'VERIFY_LOGIN');
    v_value text;
BEGIN
    UPDATE identity.login_identifier li SET verified_at = now()
     WHERE li.id = v_token.login_identifier_id AND li.verified_at IS NULL;
    SELECT li.value INTO STRICT v_value FROM identity.login_identifier li WHERE li.id = v_token.login_identifier_id;
    RETURN v_value;
END
$$;
COMMENT ON FUNCTION identity.verify_login(text) IS
'Verify a login with the token sent to it (the link in the e-mail, the code in the SMS); returns the login.
Its verified_at is set (kept when it was set already) and the token is used up. Anyone holding the token may call it,
signed in or not. Errors: IDENTITY_TOKEN_INVALID (400) for an unknown, used, expired or superseded token or a user not
ACTIVE — nothing is changed then. Assumes READ COMMITTED; locks the login, then the token.';

CREATE OR REPLACE FUNCTION identity.request_password_reset(p_login text, p_tenant_code text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant_key bigint := 0;
    v_value      text := (identity.parse_login(p_login)).value;
    v_login      identity.login_identifier;
BEGIN
    -- Every path below ends the same way (no answer, no error), so the caller cannot tell whether the login exists.
    IF p_tenant_code IS NOT NULL THEN
        SELECT t.id INTO v_tenant_key FROM identity.tenant t WHERE t.code = p_tenant_code;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    SELECT li.* INTO v_login
      FROM identity.login_identifier li JOIN identity.user_account u ON u.id = li.user_id
     WHERE li.tenant_key = v_tenant_key AND li.value = v_value AND li.kind IN ('EMAIL', 'PHONE') AND u.status = 'ACTIVE'
       FOR NO KEY UPDATE OF li;
    IF NOT FOUND OR identity.token_wait(v_login.id, 'RESET_PASSWORD') > 0 THEN
        RETURN;
    END IF;
    PERFORM identity.send_login_token(v_login.id, 'RESET_PASSWORD');
    PERFORM audit.record('identity', 'identity.login_identifier', v_login.id::text, 'PASSWORD_RESET_REQUESTED');
END
$$;
COMMENT ON FUNCTION identity.request_password_reset(text, text) IS
'Ask for a password reset token sent to a login; the same empty answer whether or not the login exists.
The login is an e-mail or phone in the tenant named by its code (NULL: platform users). Every path answers nothing
(HTTP 204), so accounts cannot be enumerated: only when the login is an e-mail or phone of an ACTIVE user is a
RESET_PASSWORD token stored hashed and sent to it through the outbox (template identity.reset_password;
identity.send_login_token), valid AUTH_RESET_TOKEN_MINUTES, superseding earlier unused ones. Within
AUTH_TOKEN_COOLDOWN_SECONDS of the last one, or after AUTH_TOKENS_PER_DAY in 24 hours, nothing is sent (same answer).
Unknown tenants, unparsable logins and usernames: nothing is sent. Assumes READ COMMITTED; locks the login first.';

CREATE OR REPLACE FUNCTION identity.reset_password(p_token text, p_new_password text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_token identity.token := identity.consume_token(p_token, 'RESET_PASSWORD');
    v_value text;
BEGIN
    -- a password changed since the token was sent (change_password, another reset) makes the token useless
    IF EXISTS (SELECT FROM identity.password p WHERE p.user_id = v_token.user_id AND p.changed_at > v_token.created_at) THEN
        PERFORM core.raise('IDENTITY_TOKEN_INVALID', 'reset password token: the password changed since it was sent');
    END IF;
    SELECT li.value INTO STRICT v_value FROM identity.login_identifier li WHERE li.id = v_token.login_identifier_id;
    PERFORM identity.check_password(p_new_password, v_value);   -- a weak password rolls the token's use back
    INSERT INTO identity.password (user_id, password_hash) VALUES (v_token.user_id, identity.hash_password(p_new_password))
    ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, changed_at = now();
    -- the user's other reset tokens (sent to its other logins) die with this one
    UPDATE identity.token t SET expires_at = now()
     WHERE t.login_identifier_id IN (SELECT li.id FROM identity.login_identifier li WHERE li.user_id = v_token.user_id)
       AND t.purpose = 'RESET_PASSWORD' AND t.used_at IS NULL AND t.expires_at > now();
    -- the user proved it controls the login the token was sent to
    UPDATE identity.login_identifier li SET verified_at = now()
     WHERE li.id = v_token.login_identifier_id AND li.verified_at IS NULL;
    PERFORM identity.revoke_all_tokens(v_token.user_id);
    PERFORM audit.record('identity', 'identity.password', v_token.user_id::text, 'PASSWORD_RESET');
END
$$;
COMMENT ON FUNCTION identity.reset_password(text, text) IS
'Set a new password with a reset token; every session and access token of the user ends.
The token (sent by identity.request_password_reset) is used up; the password must pass identity.check_password and is
stored as a bcrypt hash (identity.hash_password; a user without a password gets one); the user''s other unused reset
tokens are superseded; the login the token was sent to is marked verified (its owner proved control of it); and
identity.revoke_all_tokens ends every session and moves tokens_valid_after. Audited as PASSWORD_RESET, without values.
Anyone holding the token may call it. Errors: IDENTITY_TOKEN_INVALID (400) for an unknown, used, expired or
superseded token, a user not ACTIVE or a password changed since the token was sent, IDENTITY_PASSWORD_WEAK (the token stays usable) — nothing is changed then.
Assumes READ COMMITTED; locks the login, its token, the password, then the user and its sessions.';

-- No API role executes these: the api wrappers of functions/api/verification do.

COMMIT;
