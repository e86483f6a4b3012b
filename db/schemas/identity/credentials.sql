-- Deploy mercato:schemas/identity/credentials to pg
-- Credentials and sign-in (issue 17): login identifiers (e-mail, phone, username; unique per tenant), bcrypt
-- password hashes, sessions (one per sign-in) and their refresh tokens (stored as SHA-256 hashes, with a purpose
-- column so that verification and reset tokens can join them later), the throttle of failed sign-ins per login, the
-- JWT signing secret, and user_account.tokens_valid_after. Secrets are declared in core.secret; no API role holds any
-- privilege on these tables (the api functions of functions/api/auth reach them). No audit.track() on the tables that
-- hold hashes: audit.track copies whole rows, so credential events are recorded by the functions, without values.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- Nullable, no default: no table rewrite (squawk). Set by a password change, revoke_all_sessions and
-- deactivation; identity.current_actor() refuses a JWT whose "iat" is before it.
ALTER TABLE identity.user_account ADD COLUMN tokens_valid_after timestamptz;
COMMENT ON COLUMN identity.user_account.tokens_valid_after IS
'JWTs issued ("iat", whole seconds) before the second of this instant are refused by identity.current_actor()
(IDENTITY_TOKEN_REVOKED) from the next transaction on. NULL: never revoked.';

CREATE TABLE identity.login_identifier (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT login_identifier_pkey PRIMARY KEY,
    user_id     bigint NOT NULL,
    tenant_key  bigint NOT NULL,
    kind        text NOT NULL CONSTRAINT login_identifier_kind_check CHECK (kind IN ('EMAIL', 'PHONE', 'USERNAME')),
    value       text NOT NULL,
    verified_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- the forms are disjoint (an e-mail has an @, a phone starts with +, a username has neither), so one value names
    -- one kind, and normalized (lower case): unique per tenant, case-insensitively
    CONSTRAINT login_identifier_value_check CHECK (
        (kind = 'EMAIL' AND value ~ '^[^@\s+][^@\s]*@[^@\s]+$' AND length(value) <= 254 AND value = lower(value))
     OR (kind = 'PHONE' AND value ~ '^\+[1-9][0-9]{6,14}$')
     OR (kind = 'USERNAME' AND value ~ '^[a-z0-9][a-z0-9._-]{2,31}$')),
    CONSTRAINT login_identifier_tenant_key_value_key UNIQUE (tenant_key, value),
    CONSTRAINT login_identifier_user_id_tenant_key_fkey FOREIGN KEY (user_id, tenant_key)
        REFERENCES identity.user_account (id, tenant_key)
);
COMMENT ON TABLE identity.login_identifier IS
'A login of a user: an e-mail (lower case), a phone (E.164) or a username (lower case), unique within its tenant
(tenant_key: the tenant id, 0 for platform users). A user may have several. verified_at is for the later verification
flow. Audited (audit.track): no secret in it.';
CREATE INDEX login_identifier_user_id_tenant_key_idx ON identity.login_identifier (user_id, tenant_key);

CREATE TABLE identity.password (
    user_id         bigint CONSTRAINT password_pkey PRIMARY KEY
                    CONSTRAINT password_user_id_fkey REFERENCES identity.user_account (id),
    password_hash   text NOT NULL CONSTRAINT password_password_hash_check CHECK (password_hash ~ '^\$2[abxy]\$[0-9]{2}\$'),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz
);
COMMENT ON TABLE identity.password IS
'A user''s password as a bcrypt hash (pgcrypto crypt/gen_salt(''bf'', AUTH_BCRYPT_COST)), never in clear; and the last
successful sign-in. password_hash is SECRET (core.secret). Not audited row by row: identity functions record
PASSWORD_SET and SIGNED_IN events without values.';

CREATE TABLE identity.session (
    id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT session_pkey PRIMARY KEY,
    user_id           bigint NOT NULL CONSTRAINT session_user_id_fkey REFERENCES identity.user_account (id),
    status            text NOT NULL DEFAULT 'ACTIVE'
                      CONSTRAINT session_status_check CHECK (status IN ('ACTIVE', 'SIGNED_OUT', 'REVOKED', 'REUSE_DETECTED')),
    user_agent        text CONSTRAINT session_user_agent_check CHECK (length(user_agent) <= 512),
    ip_address        text CONSTRAINT session_ip_address_check CHECK (length(ip_address) <= 64),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_refreshed_at timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    ended_at          timestamptz,
    CONSTRAINT session_ended_at_check CHECK ((status = 'ACTIVE') = (ended_at IS NULL))
) WITH (fillfactor = 80);
COMMENT ON TABLE identity.session IS
'A sign-in: one family of refresh tokens (rotated by identity.refresh), with the device (User-Agent) and IP
(X-Forwarded-For) PostgREST passed in request.headers. ACTIVE until signed out, revoked (revoke_session,
revoke_all_sessions, a password change, deactivation) or REUSE_DETECTED (an already-used refresh token of the family was
presented: the whole family dies). Expiry is expires_at (refresh tokens live AUTH_REFRESH_TOKEN_DAYS). Access JWTs carry
its id as "sid"; identity.current_actor() refuses them once the session is not ACTIVE. Never deleted.';
CREATE INDEX session_user_id_idx ON identity.session (user_id);

CREATE TABLE identity.token (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT token_pkey PRIMARY KEY,
    purpose    text NOT NULL CONSTRAINT token_purpose_check CHECK (purpose IN ('REFRESH')),
    user_id    bigint NOT NULL CONSTRAINT token_user_id_fkey REFERENCES identity.user_account (id),
    session_id bigint CONSTRAINT token_session_id_fkey REFERENCES identity.session (id),
    token_hash bytea NOT NULL CONSTRAINT token_token_hash_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT token_session_id_check CHECK (purpose <> 'REFRESH' OR session_id IS NOT NULL)
);
COMMENT ON TABLE identity.token IS
'An opaque token given to a user once and kept only as its SHA-256 hash (32 random bytes: no slow hash needed).
purpose REFRESH: a refresh token of a session, used once (used_at) when rotated. Later purposes (e-mail verification,
password reset) join this table. token_hash is SECRET (core.secret).';

CREATE TABLE identity.sign_in_throttle (
    tenant_key      bigint NOT NULL,
    login           text NOT NULL CONSTRAINT sign_in_throttle_login_check CHECK (length(login) <= 256),
    failures        integer NOT NULL DEFAULT 0 CONSTRAINT sign_in_throttle_failures_check CHECK (failures >= 0),
    last_failure_at timestamptz,
    locked_until    timestamptz,
    CONSTRAINT sign_in_throttle_pkey PRIMARY KEY (tenant_key, login)
);
COMMENT ON TABLE identity.sign_in_throttle IS
'Failed sign-ins per login (normalized as typed, known or not, so that a lock tells nothing about whether an account
exists) within a tenant (tenant_key, 0 for platform users). From AUTH_LOCK_AFTER_FAILURES failures on, each failure locks
the login for AUTH_LOCK_SECONDS doubled per further failure, at most AUTH_LOCK_MAX_SECONDS; a success resets it.
Natural key (tenant_key, login).';

CREATE TABLE identity.jwt_secret (
    id     smallint NOT NULL DEFAULT 1 CONSTRAINT jwt_secret_pkey PRIMARY KEY CONSTRAINT jwt_secret_id_check CHECK (id = 1),
    secret text NOT NULL CONSTRAINT jwt_secret_secret_check CHECK (octet_length(secret) >= 32),
    set_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE identity.jwt_secret IS
'The HS256 key the database signs access JWTs with (one row), the same as PostgREST''s jwt-secret. Set by the DBA
through identity.set_jwt_secret (mercato auth set-secret); readable by no API role (SECRET).';

CREATE TRIGGER login_identifier_audit AFTER INSERT OR UPDATE OR DELETE ON identity.login_identifier
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER session_audit AFTER INSERT OR UPDATE OR DELETE ON identity.session
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON identity.login_identifier, identity.password, identity.session, identity.token,
              identity.sign_in_throttle, identity.jwt_secret FROM PUBLIC;
-- Row-level security on, no policy: no API role holds a privilege on these tables, and one granted by mistake would
-- still show no row (every identity table has RLS on: db/tests/schemas/parties/rls.sql). Only SECURITY DEFINER
-- functions, run by the owner, read them.
ALTER TABLE identity.login_identifier ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.password ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.session ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.token ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.sign_in_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.jwt_secret ENABLE ROW LEVEL SECURITY;

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('identity', 'password', 'password_hash', 'SECRET', 'bcrypt hash of a password: offline guessing'),
('identity', 'token', 'token_hash', 'SECRET', 'hash of a refresh token'),
('identity', 'jwt_secret', 'secret', 'SECRET', 'the key that signs every access JWT');

INSERT INTO masterdata.setting (key, value_type, value, min_value, max_value, description) VALUES
('AUTH_BCRYPT_COST', 'NUMBER', '12', 4, 15,
 'bcrypt cost (log2 rounds) of new password hashes; 12 in production (about 0.25 s per hash). Tests lower it to 4 '
 'for speed; anything under 10 is for tests only. A hash of another cost is rehashed at the next sign-in.'),
('AUTH_PASSWORD_MIN_LENGTH', 'NUMBER', '10', 8, 64, 'Minimum password length in characters (NIST SP 800-63B: at least 8).'),
('AUTH_ACCESS_TOKEN_MINUTES', 'NUMBER', '15', 1, 1440, 'Lifetime of an access JWT ("exp" - "iat"), in minutes.'),
('AUTH_REFRESH_TOKEN_DAYS', 'NUMBER', '30', 1, 365, 'Lifetime of a session and its refresh tokens, in days.'),
('AUTH_LOCK_AFTER_FAILURES', 'NUMBER', '5', 1, 100, 'Failed sign-ins of one login after which it is locked.'),
('AUTH_LOCK_SECONDS', 'NUMBER', '60', 1, 86400, 'First lock of a login, in seconds; doubled at each further failure.'),
('AUTH_LOCK_MAX_SECONDS', 'NUMBER', '3600', 1, 604800, 'Longest lock of a login, in seconds.');

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_SIGN_IN_FAILED', 'identity', 'PT401', 'the login or the password is wrong', NULL,
 'Unknown login, wrong password, or a user without a password or not ACTIVE: one answer, so that accounts cannot be '
 'enumerated. Returned as an error row (api.sign_in commits the failure count; HTTP 401 through response.status).'),
('IDENTITY_SIGN_IN_LOCKED', 'identity', 'PT429', 'too many failed sign-ins for this login',
 'wait until the time in the detail (Retry-After header) and try again',
 'The login is locked after repeated failures (known or unknown logins alike). Returned as an error row (HTTP 429).'),
('IDENTITY_REFRESH_INVALID', 'identity', 'PT401', 'the refresh token is unknown, expired, used or revoked',
 'sign in again', 'api.refresh refused the token. Presenting an already-used token also revokes its whole session '
 '(reuse detection). Returned as an error row (HTTP 401), so that the revocation is committed.'),
('IDENTITY_TOKEN_REVOKED', 'identity', 'PT401', 'the access token was revoked', 'sign in again',
 'The JWT was issued before the user''s tokens_valid_after (password change, revoke_all_sessions, deactivation) or '
 'names a session ("sid") that is no longer ACTIVE.'),
('IDENTITY_PASSWORD_WEAK', 'identity', 'PT400', 'the password is too short, too long or too common',
 'use at least AUTH_PASSWORD_MIN_LENGTH characters (72 bytes at most), not a common password nor the login',
 'Password rules of NIST SP 800-63B: a minimum length, a list of the most common passwords, not the login itself.'),
('IDENTITY_PASSWORD_MISMATCH', 'identity', 'PT403', 'the current password is wrong', NULL,
 'Changing a password needs the current one.'),
('IDENTITY_LOGIN_TAKEN', 'identity', 'PT409', 'this login is already used in the tenant', NULL,
 'A login identifier (e-mail, phone, username) is unique within its tenant, case-insensitively.'),
('IDENTITY_SIGN_UP_CLOSED', 'identity', 'PT403', 'the tenant does not accept sign-ups',
 'ask the tenant''s administrator', 'The tenant is not ACTIVE, or its metadata does not say "self_sign_up": true.'),
('IDENTITY_UNKNOWN_SESSION', 'identity', 'PT404', 'no such session', NULL,
 'The session does not exist or is not the caller''s.'),
('IDENTITY_JWT_SECRET_MISSING', 'identity', 'PT500', 'no JWT signing secret is set',
 'the DBA runs mercato auth set-secret (the same secret as PostgREST''s jwt-secret)', 'Signing needs identity.jwt_secret.'),
('IDENTITY_JWT_SECRET_WEAK', 'identity', 'PT400', 'the JWT secret must be at least 32 bytes', NULL,
 'identity.set_jwt_secret refuses a shorter key (HS256 needs at least 256 bits).');

COMMIT;
