-- Deploy mercato:schemas/identity/oauth to pg
-- OAuth accounts (issue 17, the payments seed's auth_accounts): a user's account at an OAuth provider (google, apple,
-- facebook, …), linked by the app server that completed the provider's flow (mercato_service), used to sign the user in
-- without a password. One provider account is linked to one user at a time within a tenant key (the user's tenant, 0
-- for platform users, as identity.login_identifier): the same Google account may belong to one user of shop A and
-- another of shop B, which are separate customer bases, but never to two users of one tenant. Unlinking sets
-- unlinked_at (rows are kept; the account may then be linked again). Row-level security on, no API role privilege.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE TABLE identity.oauth_account (
    id                  bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT oauth_account_pkey PRIMARY KEY,
    user_id             bigint NOT NULL,
    tenant_key          bigint NOT NULL,
    provider            text NOT NULL CONSTRAINT oauth_account_provider_check CHECK (provider ~ '^[a-z][a-z0-9_-]{1,31}$'),
    provider_account_id text NOT NULL
                        CONSTRAINT oauth_account_provider_account_id_check CHECK (length(provider_account_id) BETWEEN 1 AND 255),
    email               text CONSTRAINT oauth_account_email_check CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    linked_at           timestamptz NOT NULL DEFAULT now(),
    last_used_at        timestamptz,
    unlinked_at         timestamptz,
    CONSTRAINT oauth_account_unlinked_at_check CHECK (unlinked_at IS NULL OR unlinked_at >= linked_at),
    CONSTRAINT oauth_account_user_id_tenant_key_fkey FOREIGN KEY (user_id, tenant_key)
        REFERENCES identity.user_account (id, tenant_key)
);
COMMENT ON TABLE identity.oauth_account IS
'A user''s account at an OAuth provider: provider (a lower-case code: google, apple, facebook, …), the provider''s
stable account id (the "sub" of its ID token), the e-mail it reported when linked, when it was linked and last used to
sign in, and when unlinked. A linked provider account names one user within a tenant key (the user''s tenant, 0 for
platform users): unique index oauth_account_provider_account_key. Written by identity.link_oauth_account,
unlink_oauth_account and sign_in_oauth; no API role holds a privilege on it (RLS on, no policy). Audited (no secret in
it: the provider''s tokens are never stored here).';
COMMENT ON COLUMN identity.oauth_account.tenant_key IS
'The user''s tenant id, 0 for a platform user (the composite foreign key to user_account keeps it the user''s).';

CREATE UNIQUE INDEX oauth_account_provider_account_key
    ON identity.oauth_account (tenant_key, provider, provider_account_id) WHERE unlinked_at IS NULL;
COMMENT ON INDEX identity.oauth_account_provider_account_key IS
'One user per linked provider account within a tenant key; sign_in_oauth finds the account through it.';
CREATE INDEX oauth_account_user_id_tenant_key_idx ON identity.oauth_account (user_id, tenant_key);

CREATE TRIGGER oauth_account_audit AFTER INSERT OR UPDATE OR DELETE ON identity.oauth_account
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON identity.oauth_account FROM PUBLIC;
ALTER TABLE identity.oauth_account ENABLE ROW LEVEL SECURITY;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_OAUTH_ACCOUNT_TAKEN', 'identity', 'PT409', 'this provider account is linked to another user', NULL,
 'A provider account is linked to one user of a tenant at a time; the other user unlinks it first.'),
('IDENTITY_OAUTH_UNKNOWN_ACCOUNT', 'identity', 'PT404', 'no such linked provider account', 'link the account first',
 'Signing in: no user of the tenant has this provider account linked (or the tenant code is unknown). Unlinking: no '
 'such linked account of the caller.');

COMMIT;
