-- Deploy mercato:functions/identity/oauth to pg
-- OAuth accounts (issue 17): the app server that completed a provider's OAuth flow (the back office role,
-- mercato_service: it verified the provider's ID token, which the database cannot) links a provider account to a user
-- and signs the user in through it; the user lists and unlinks its own accounts. Signing in through a linked account
-- ends as a password sign-in does once the password is checked: identity.open_session (functions/identity/sessions),
-- a session with the request's device and its token pair; a user not ACTIVE gets the same IDENTITY_SIGN_IN_FAILED.
-- Nothing secret is stored or audited: the provider's own tokens never reach the database.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION identity.require_service(p_what text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT identity.is_service() THEN
        PERFORM core.raise('IDENTITY_PERMISSION_DENIED', format('%s is for the back office (mercato_service) only', p_what));
    END IF;
END
$$;
COMMENT ON FUNCTION identity.require_service(text) IS
'Insist that the request runs as mercato_service (the app server), else IDENTITY_PERMISSION_DENIED naming p_what.
Internal.';

CREATE OR REPLACE FUNCTION identity.link_oauth_account(p_user_id bigint, p_provider text, p_provider_account_id text,
                                                       p_email text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant_key bigint;
    v_id         bigint;
    v_owner      bigint;
BEGIN
    PERFORM identity.require_service('linking an OAuth account');
    SELECT u.tenant_key INTO v_tenant_key FROM identity.user_account u WHERE u.id = p_user_id;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_USER', format('user %s', p_user_id));
    END IF;
    IF p_provider IS NULL OR p_provider !~ '^[a-z][a-z0-9_-]{1,31}$' THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_provider must be 2-32 characters of a-z, 0-9, _ and -, e.g. google');
    END IF;
    IF p_provider_account_id IS NULL OR length(p_provider_account_id) NOT BETWEEN 1 AND 255 THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_provider_account_id must be 1-255 characters');
    END IF;
    IF p_email IS NOT NULL AND (p_email !~ '^[^@\s]+@[^@\s]+$' OR length(p_email) > 254) THEN
        PERFORM core.raise('IDENTITY_INVALID_INPUT', 'p_email is not an email address');
    END IF;
    INSERT INTO identity.oauth_account (user_id, tenant_key, provider, provider_account_id, email)
    VALUES (p_user_id, v_tenant_key, p_provider, p_provider_account_id, lower(p_email))
    ON CONFLICT (tenant_key, provider, provider_account_id) WHERE unlinked_at IS NULL DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        SELECT o.id, o.user_id INTO v_id, v_owner FROM identity.oauth_account o
         WHERE o.tenant_key = v_tenant_key AND o.provider = p_provider AND o.provider_account_id = p_provider_account_id
           AND o.unlinked_at IS NULL;
        IF v_owner IS DISTINCT FROM p_user_id THEN
            PERFORM core.raise('IDENTITY_OAUTH_ACCOUNT_TAKEN', format('%s account of another user', p_provider));
        END IF;
    END IF;
    RETURN v_id;   -- linked again to the same user: the existing link
END
$$;
COMMENT ON FUNCTION identity.link_oauth_account(bigint, text, text, text) IS
'Link a user''s account at an OAuth provider (provider code, the provider''s stable account id, the e-mail it reported);
returns the link''s id (the existing one if already linked to this user). Back office only (mercato_service: the app
server that completed the provider''s flow and verified its ID token). One user per linked provider account within the
user''s tenant. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_UNKNOWN_USER, IDENTITY_INVALID_INPUT,
IDENTITY_OAUTH_ACCOUNT_TAKEN.';

CREATE OR REPLACE FUNCTION identity.unlink_oauth_account(p_oauth_account_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_service boolean := identity.is_service();
    v_user_id bigint;
BEGIN
    IF NOT v_service THEN
        v_user_id := (identity.require_user()).user_id;
    END IF;
    UPDATE identity.oauth_account o SET unlinked_at = now()
     WHERE o.id = p_oauth_account_id AND o.unlinked_at IS NULL AND (v_service OR o.user_id = v_user_id);
    IF NOT FOUND THEN   -- another user's link is as if absent
        PERFORM core.raise('IDENTITY_OAUTH_UNKNOWN_ACCOUNT', format('linked account %s', p_oauth_account_id));
    END IF;
END
$$;
COMMENT ON FUNCTION identity.unlink_oauth_account(bigint) IS
'Unlink an OAuth account (unlinked_at is set; the row is kept): the user itself, or the back office. The provider
account can no longer sign anyone in and may be linked again. Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_OAUTH_UNKNOWN_ACCOUNT (unknown, already unlinked, or another user''s).';

CREATE OR REPLACE FUNCTION identity.sign_in_oauth(p_tenant_code text, p_provider text, p_provider_account_id text)
RETURNS identity.auth_result
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant_key bigint := 0;
    v_account    identity.oauth_account;
    v_status     text;
BEGIN
    PERFORM identity.require_service('signing in with an OAuth account');
    IF p_tenant_code IS NOT NULL THEN
        SELECT t.id INTO v_tenant_key FROM identity.tenant t WHERE t.code = p_tenant_code;
        IF NOT FOUND THEN
            PERFORM core.raise('IDENTITY_OAUTH_UNKNOWN_ACCOUNT', format('no tenant %s', p_tenant_code));
        END IF;
    END IF;
    SELECT * INTO v_account FROM identity.oauth_account o
     WHERE o.tenant_key = v_tenant_key AND o.provider = p_provider AND o.provider_account_id = p_provider_account_id
       AND o.unlinked_at IS NULL
       FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('IDENTITY_OAUTH_UNKNOWN_ACCOUNT',
                           format('%s account in %s', p_provider, coalesce('tenant ' || p_tenant_code, 'no tenant')));
    END IF;
    SELECT u.status INTO STRICT v_status FROM identity.user_account u WHERE u.id = v_account.user_id;
    IF v_status <> 'ACTIVE' THEN   -- the answer a password sign-in gives
        PERFORM core.raise('IDENTITY_SIGN_IN_FAILED', 'the user is not ACTIVE');
    END IF;
    UPDATE identity.oauth_account SET last_used_at = now() WHERE id = v_account.id;
    RETURN identity.open_session(v_account.user_id);
END
$$;
COMMENT ON FUNCTION identity.sign_in_oauth(text, text, text) IS
'Sign in the user who linked this provider account, in the tenant named by its code (NULL: platform users): a new
session and its token pair, exactly as a password sign-in after the password check (identity.open_session); records
the account''s last use. Back office only (mercato_service: the app server that verified the provider''s ID token).
Errors (raised: nothing to commit): IDENTITY_PERMISSION_DENIED, IDENTITY_OAUTH_UNKNOWN_ACCOUNT (no linked account, or
no such tenant), IDENTITY_SIGN_IN_FAILED (the user is not ACTIVE, as sign_in answers), IDENTITY_JWT_SECRET_MISSING.';

CREATE OR REPLACE FUNCTION identity.my_oauth_accounts()
RETURNS TABLE (oauth_account_id bigint, provider text, provider_account_id text, email text, linked_at timestamptz,
               last_used_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor identity.actor := identity.require_user();
BEGIN
    RETURN QUERY
    SELECT o.id, o.provider, o.provider_account_id, o.email, o.linked_at, o.last_used_at
      FROM identity.oauth_account o
     WHERE o.user_id = v_actor.user_id AND o.unlinked_at IS NULL
     ORDER BY o.id;
END
$$;
COMMENT ON FUNCTION identity.my_oauth_accounts() IS
'The caller''s linked OAuth accounts: provider, account id, e-mail at link time, when linked and last used.
Errors: IDENTITY_NOT_AUTHENTICATED.';

COMMIT;
