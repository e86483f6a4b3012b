-- Deploy mercato:schemas/identity/verification to pg
-- Verification and password-reset tokens (issue 17, second half): identity.token takes the purposes VERIFY_LOGIN and
-- RESET_PASSWORD, each bound to the login identifier it was sent to (login_identifier_id); settings for their lifetimes
-- and for the request cooldown; error codes. The clear token leaves the database only as the secret of its outbox
-- message (docs/auth.md, "Verification and password reset").
-- identity.token is created by schemas/identity/credentials, planned in the same release as this change: no deployed
-- database holds a large identity.token yet, so the constraints are validated and the index built in this transaction
-- (the squawk-ignore lines below say so where they apply).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- Nullable, no default: no table rewrite.
ALTER TABLE identity.token ADD COLUMN login_identifier_id bigint;
COMMENT ON COLUMN identity.token.login_identifier_id IS
'The login (e-mail or phone) a VERIFY_LOGIN or RESET_PASSWORD token was sent to; NULL for REFRESH tokens.';
ALTER TABLE identity.token ADD CONSTRAINT token_login_identifier_id_fkey
    FOREIGN KEY (login_identifier_id) REFERENCES identity.login_identifier (id) NOT VALID;
-- identity.token is new in this release (see the header): validating it here locks an empty or small table.
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.token VALIDATE CONSTRAINT token_login_identifier_id_fkey;

-- replaced at once by a wider one (two more purposes): every guarantee of the old constraint still holds
-- squawk-ignore ban-drop-constraint
ALTER TABLE identity.token DROP CONSTRAINT token_purpose_check;
ALTER TABLE identity.token ADD CONSTRAINT token_purpose_check
    CHECK (purpose IN ('REFRESH', 'VERIFY_LOGIN', 'RESET_PASSWORD')) NOT VALID;
-- identity.token is new in this release (see the header).
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.token VALIDATE CONSTRAINT token_purpose_check;
-- a REFRESH token belongs to a session (token_session_id_check); the others to the login they were sent to
ALTER TABLE identity.token ADD CONSTRAINT token_login_identifier_id_check
    CHECK ((purpose = 'REFRESH') = (login_identifier_id IS NULL)) NOT VALID;
-- identity.token is new in this release (see the header).
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE identity.token VALIDATE CONSTRAINT token_login_identifier_id_check;

-- A login's tokens: the supersession of earlier ones, the cooldown and the daily count look them up by login.
-- identity.token is new in this release (see the header).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX token_login_identifier_id_idx ON identity.token (login_identifier_id, purpose, created_at)
    WHERE login_identifier_id IS NOT NULL;

COMMENT ON TABLE identity.token IS
'An opaque token given to a user once and kept only as its SHA-256 hash (32 random bytes: no slow hash needed).
purpose REFRESH: a refresh token of a session, used once (used_at) when rotated. VERIFY_LOGIN: proves control of an
e-mail or phone login (login_identifier_id), sent by identity.request_verification. RESET_PASSWORD: sets a new
password, sent by identity.request_password_reset to the login. Both are used once (used_at), expire (expires_at), and
a newer request for the same login and purpose supersedes the unused ones (their expires_at moved to the request''s
time). The clear value leaves the database only as the secret of its outbox message. token_hash is SECRET
(core.secret).';

UPDATE core.secret SET reason = 'hash of a refresh, login verification or password reset token'
 WHERE (table_schema, table_name, column_name) = ('identity', 'token', 'token_hash');

INSERT INTO masterdata.setting (key, value_type, value, min_value, max_value, description) VALUES
('AUTH_VERIFY_TOKEN_MINUTES', 'NUMBER', '1440', 5, 10080,
 'Lifetime of a login verification token (VERIFY_LOGIN), in minutes.'),
('AUTH_RESET_TOKEN_MINUTES', 'NUMBER', '30', 5, 1440,
 'Lifetime of a password reset token (RESET_PASSWORD), in minutes.'),
('AUTH_TOKEN_COOLDOWN_SECONDS', 'NUMBER', '60', 0, 3600,
 'Seconds after a verification or reset token was sent to a login before another of the same purpose is sent to it.'),
('AUTH_TOKENS_PER_DAY', 'NUMBER', '10', 1, 1000,
 'Most verification or reset tokens of one purpose sent to one login in 24 hours (stops mail and SMS bombing).');

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('IDENTITY_TOKEN_INVALID', 'identity', 'PT400', 'the token is unknown, expired, used or superseded',
 'ask for a new one',
 'api.verify_login / api.reset_password: no VERIFY_LOGIN or RESET_PASSWORD token of that value is unused, unexpired '
 'and the newest of its login, or its user is not ACTIVE. One code for all of these; nothing was changed.'),
('IDENTITY_TOKEN_COOLDOWN', 'identity', 'PT429', 'a token was sent to this login moments ago',
 'wait the seconds in the detail (AUTH_TOKEN_COOLDOWN_SECONDS) and ask again',
 'api.request_verification: a verification token went to this login less than AUTH_TOKEN_COOLDOWN_SECONDS ago, or '
 'AUTH_TOKENS_PER_DAY went in the last 24 hours. (api.request_password_reset answers a throttled request like any '
 'other, without sending: it never tells whether a login exists.)'),
('IDENTITY_UNKNOWN_LOGIN', 'identity', 'PT404', 'the caller has no such login', NULL,
 'api.request_verification: the login is not one of the caller''s own (another user''s is as if absent).'),
('IDENTITY_LOGIN_NOT_DELIVERABLE', 'identity', 'PT400', 'a username cannot receive a message',
 'verify an e-mail or phone login', 'Only e-mail (EMAIL) and phone (SMS) logins are verified by a message.'),
('IDENTITY_LOGIN_VERIFIED', 'identity', 'PT409', 'this login is already verified', NULL,
 'api.request_verification: verified_at is set already; nothing is sent.');

COMMIT;
