-- Deploy mercato:functions/identity/credentials to pg
-- Login identifiers and passwords (issue 17): parsing a login (e-mail, E.164 phone, username), the password rules of
-- NIST SP 800-63B (a minimum length, a built-in list of the most common passwords, not the login itself), bcrypt
-- hashing with pgcrypto, self sign-up into a tenant that accepts it, adding a login, changing a password, and the
-- trigger that ends a deactivated user's tokens at once. A password is never stored, logged or audited in clear: it
-- is hashed here and only the hash (SECRET) is written; audit events of these functions carry no values.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.parse_login(p_login text, OUT kind text, OUT value text)
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT k.kind, CASE WHEN k.kind IS NULL THEN NULL ELSE k.v END
      FROM (SELECT v,
                   CASE WHEN v ~ '^[^@\s+][^@\s]*@[^@\s]+$' AND length(v) <= 254 THEN 'EMAIL'
                        WHEN v ~ '^\+[1-9][0-9]{6,14}$' THEN 'PHONE'
                        WHEN v ~ '^[a-z0-9][a-z0-9._-]{2,31}$' THEN 'USERNAME' END AS kind
              FROM (SELECT lower(btrim(p_login)) AS v) s) k;
END;
COMMENT ON FUNCTION identity.parse_login(text) IS
'The kind (EMAIL, PHONE, USERNAME) and normalized value (trimmed, lower case) of a login as typed; both NULL when it is
none of them. E-mail: one @ and no spaces; phone: E.164 (+ and 7-15 digits); username: 3-32 of a-z, 0-9, ., _, -.';

CREATE OR REPLACE FUNCTION identity.is_common_password(p_password text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN lower(p_password) = ANY (ARRAY[
    'password', 'password1', 'password12', 'password123', 'password1234', 'password!', 'passw0rd', 'p@ssw0rd', 'p@ssword',
    '12345678', '123456789', '1234567890', '0123456789', '11111111', '00000000', '12341234', '11223344', '123123123',
    '987654321', '87654321', 'qwertyuiop', 'qwerty123', 'qwerty1234', 'qwer1234', '1234qwer', 'q1w2e3r4', 'q1w2e3r4t5',
    '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', 'zaq12wsx', 'qazwsx123', 'qweasdzxc', '123qweasd', 'asdfghjkl', 'asdf1234',
    'abc12345', 'abcd1234', 'abcdefgh', 'aa123456', 'iloveyou', 'iloveyou1', 'sunshine', 'sunshine1', 'princess',
    'football', 'football1', 'baseball', 'superman', 'batman123', 'starwars', 'trustno1', 'letmein1', 'letmein123',
    'welcome1', 'welcome123', 'admin123', 'admin1234', 'administrator', 'changeme', 'changeme123', 'whatever',
    'computer', 'internet', 'jennifer', 'michael1', 'dragon123', 'monkey123', 'master123', 'default1', 'secret123',
    'test1234', 'testtest', 'pass1234', 'mercato123', 'mercato1234', 'summer2024', 'winter2024', 'summer2025',
    'winter2025', 'summer2026', 'winter2026', 'qwertyui', 'zxcvbnm1', 'zxcvbnm123', 'football123', 'liverpool',
    'chelsea1', 'arsenal1', 'manchester', 'pokemon1', 'naruto123', 'loveyou1', 'fuckyou1', 'shadow123', 'passpass'])
    OR p_password ~ '^(.)\1*$';
COMMENT ON FUNCTION identity.is_common_password(text) IS
'True for one of about 100 of the most common passwords (case-insensitively) or a single repeated character: the
blocklist NIST SP 800-63B asks for, kept small and built in (shorter common ones fall under the minimum length).';

CREATE OR REPLACE FUNCTION identity.check_password(p_password text, p_login text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_min integer := masterdata.setting_number('AUTH_PASSWORD_MIN_LENGTH')::integer;
BEGIN
    -- the detail never contains the password
    IF p_password IS NULL OR length(p_password) < v_min THEN
        PERFORM core.raise('IDENTITY_PASSWORD_WEAK', format('at least %s characters', v_min));
    ELSIF octet_length(p_password) > 72 THEN   -- bcrypt reads 72 bytes; more would be silently ignored
        PERFORM core.raise('IDENTITY_PASSWORD_WEAK', 'at most 72 bytes');
    ELSIF identity.is_common_password(p_password) THEN
        PERFORM core.raise('IDENTITY_PASSWORD_WEAK', 'one of the most common passwords');
    ELSIF p_login IS NOT NULL AND lower(p_password) IN (lower(btrim(p_login)), split_part(lower(btrim(p_login)), '@', 1)) THEN
        PERFORM core.raise('IDENTITY_PASSWORD_WEAK', 'the login itself');
    END IF;
END
$$;
COMMENT ON FUNCTION identity.check_password(text, text) IS
'Refuse a password that breaks the rules with IDENTITY_PASSWORD_WEAK (400): shorter than AUTH_PASSWORD_MIN_LENGTH,
longer than 72 bytes (what bcrypt reads), a common password (identity.is_common_password), or the login (or the local
part of the e-mail). The detail names the rule, never the password.';

CREATE OR REPLACE FUNCTION identity.hash_password(p_password text)
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN public.crypt(p_password, public.gen_salt('bf', masterdata.setting_number('AUTH_BCRYPT_COST')::integer));
COMMENT ON FUNCTION identity.hash_password(text) IS
'The bcrypt hash of a password (pgcrypto crypt with gen_salt(''bf'', AUTH_BCRYPT_COST)): a fresh salt every time.';

CREATE OR REPLACE FUNCTION identity.add_login_identifier(p_user_id bigint, p_login text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_login record := identity.parse_login(p_login);
    v_id    bigint;
BEGIN
    IF v_login.kind IS NULL THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT',
                           'p_login must be an e-mail, an E.164 phone (+251911000000) or a username (3-32 of a-z 0-9 . _ -)');
    END IF;
    INSERT INTO identity.login_identifier (user_id, tenant_key, kind, value)
    SELECT u.id, u.tenant_key, v_login.kind, v_login.value FROM identity.user_account u WHERE u.id = p_user_id
    ON CONFLICT (tenant_key, value) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        PERFORM core.raise('IDENTITY_LOGIN_TAKEN', format('%s %s', lower(v_login.kind), v_login.value));
    END IF;
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.add_login_identifier(bigint, text) IS
'Give a user a login (e-mail, phone or username, normalized by identity.parse_login) in its tenant; returns its id.
Errors: IDENTITY_INVALID_INPUT, IDENTITY_LOGIN_TAKEN (unique per tenant, case-insensitively). Internal.';

CREATE OR REPLACE FUNCTION identity.add_login(p_login text)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN identity.add_login_identifier((identity.require_user()).user_id, p_login);
END
$$;
COMMENT ON FUNCTION identity.add_login(text) IS
'The caller adds another login (e-mail, phone or username) to its own account; returns its id. Unverified until the
verification flow exists (verified_at NULL). Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_INVALID_INPUT,
IDENTITY_LOGIN_TAKEN.';

CREATE OR REPLACE FUNCTION identity.sign_up(
    p_tenant_code  text,
    p_login        text,
    p_password     text,
    p_display_name text,
    p_user_type    text DEFAULT 'CUSTOMER')
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant identity.tenant;
    v_login  record := identity.parse_login(p_login);
    v_id     bigint;
BEGIN
    SELECT * INTO v_tenant FROM identity.tenant t WHERE t.code = p_tenant_code;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_TENANT', format('tenant %s', p_tenant_code));
    END IF;
    IF v_tenant.status <> 'ACTIVE' OR (v_tenant.metadata -> 'self_sign_up') IS DISTINCT FROM 'true'::jsonb THEN
        PERFORM core.raise('IDENTITY_SIGN_UP_CLOSED', format('tenant %s', p_tenant_code));
    END IF;
    IF p_user_type IS NULL OR p_user_type NOT IN ('BUSINESS', 'PROVIDER', 'CUSTOMER', 'MERCHANT') THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_user_type must be one of BUSINESS, PROVIDER, CUSTOMER, MERCHANT');
    END IF;
    IF p_display_name IS NULL OR length(btrim(p_display_name)) NOT BETWEEN 1 AND 200 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_display_name must be 1-200 characters');
    END IF;
    IF v_login.kind IS NULL THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT',
                           'p_login must be an e-mail, an E.164 phone (+251911000000) or a username (3-32 of a-z 0-9 . _ -)');
    END IF;
    PERFORM identity.check_password(p_password, v_login.value);
    INSERT INTO identity.user_account (auth_subject, user_type, display_name, tenant_id, email, phone)
    VALUES ('mercato|' || gen_random_uuid(), p_user_type, btrim(p_display_name), v_tenant.id,
            CASE WHEN v_login.kind = 'EMAIL' THEN v_login.value END, CASE WHEN v_login.kind = 'PHONE' THEN v_login.value END)
    RETURNING id INTO v_id;
    PERFORM identity.add_login_identifier(v_id, v_login.value);
    INSERT INTO identity.password (user_id, password_hash) VALUES (v_id, identity.hash_password(p_password));
    PERFORM audit.record('identity', 'identity.password', v_id::text, 'PASSWORD_SET');
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION identity.sign_up(text, text, text, text, text) IS
'Create a user of a tenant with a login (e-mail, phone or username) and a password; returns the user id.
The tenant is named by its code and must be ACTIVE with "self_sign_up": true in its metadata (a tenant opts in; platform
users are never self-made). The user gets a fresh subject "mercato|<uuid>" (its JWT "sub"), type CUSTOMER unless
BUSINESS, PROVIDER or MERCHANT is asked; the password must pass identity.check_password and is stored as a bcrypt hash
only. Errors: IDENTITY_UNKNOWN_TENANT, IDENTITY_SIGN_UP_CLOSED, IDENTITY_INVALID_INPUT, IDENTITY_PASSWORD_WEAK,
IDENTITY_LOGIN_TAKEN. Assumes READ COMMITTED (the login''s unique key decides a race).';

CREATE OR REPLACE FUNCTION identity.end_sessions(p_user_id bigint, p_status text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE identity.session SET status = p_status, ended_at = now()
     WHERE user_id = p_user_id AND status = 'ACTIVE';
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION identity.end_sessions(bigint, text) IS
'End every ACTIVE session of a user with the given status (SIGNED_OUT, REVOKED); returns how many. Internal.';

CREATE OR REPLACE FUNCTION identity.revoke_all_tokens(p_user_id bigint)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE identity.user_account SET tokens_valid_after = now(), updated_at = now()
     WHERE id = p_user_id;
    RETURN identity.end_sessions(p_user_id, 'REVOKED');
END
$$;
COMMENT ON FUNCTION identity.revoke_all_tokens(bigint) IS
'Every token of a user stops working: tokens_valid_after moves to now and every ACTIVE session is
REVOKED (so its refresh tokens die and its access JWTs, which name it as "sid", are refused at once). Returns the number
of sessions ended. Internal: revoke_all_sessions, change_password.';

CREATE OR REPLACE FUNCTION identity.change_password(p_current_password text, p_new_password text)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
    v_hash  text;
BEGIN
    SELECT p.password_hash INTO v_hash FROM identity.password p WHERE p.user_id = v_actor.user_id FOR UPDATE;
    IF v_hash IS NULL OR public.crypt(coalesce(p_current_password, ''), v_hash) <> v_hash THEN
        PERFORM core.raise('IDENTITY_PASSWORD_MISMATCH', format('user %s', v_actor.user_id));
    END IF;
    PERFORM identity.check_password(p_new_password,
                                    (SELECT li.value FROM identity.login_identifier li WHERE li.user_id = v_actor.user_id
                                      ORDER BY li.id LIMIT 1));
    UPDATE identity.password SET password_hash = identity.hash_password(p_new_password), changed_at = now()
     WHERE user_id = v_actor.user_id;
    PERFORM identity.revoke_all_tokens(v_actor.user_id);
    PERFORM audit.record('identity', 'identity.password', v_actor.user_id::text, 'PASSWORD_CHANGED');
END
$$;
COMMENT ON FUNCTION identity.change_password(text, text) IS
'The caller changes its password, giving the current one; every session and token of the user ends (sign in again).
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_PASSWORD_MISMATCH, IDENTITY_PASSWORD_WEAK.';

CREATE OR REPLACE FUNCTION identity.user_account_tokens_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF OLD.status = 'ACTIVE' AND NEW.status <> 'ACTIVE' THEN
        NEW.tokens_valid_after := now();
        PERFORM identity.end_sessions(NEW.id, 'REVOKED');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION identity.user_account_tokens_trg() IS
'Trigger: a user leaving ACTIVE (suspended, closed: deactivation and soft delete) loses every token at once: its
tokens_valid_after moves to now and its ACTIVE sessions are REVOKED, whoever changes the status.';

CREATE TRIGGER user_account_tokens BEFORE UPDATE OF status ON identity.user_account
    FOR EACH ROW EXECUTE FUNCTION identity.user_account_tokens_trg();

COMMIT;
