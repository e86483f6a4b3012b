-- Tests for functions/identity/credentials: login parsing, the password rules, bcrypt hashes, sign-up into a tenant
-- that accepts it, adding logins, changing a password, deactivation ending every token.
BEGIN;
SELECT plan(27);

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';   -- fast hashes in tests
CREATE TEMP TABLE t AS SELECT identity.create_tenant('cred-open', 'Open', '{"self_sign_up": true}') AS open_id,
                              identity.create_tenant('cred-closed', 'Closed') AS closed_id;
GRANT SELECT ON t TO mercato_anon, mercato_user;

SELECT results_eq($$SELECT kind, value FROM identity.parse_login(' Alice@Example.COM ')$$, $$VALUES ('EMAIL', 'alice@example.com')$$,
                  'an e-mail, trimmed and in lower case');
SELECT results_eq($$SELECT kind, value FROM identity.parse_login('+251911000000')$$, $$VALUES ('PHONE', '+251911000000')$$, 'a phone');
SELECT results_eq($$SELECT kind, value FROM identity.parse_login('Kebede_1')$$, $$VALUES ('USERNAME', 'kebede_1')$$, 'a username');
SELECT results_eq($$SELECT kind, value FROM identity.parse_login('no spaces allowed')$$, $$VALUES (NULL::text, NULL::text)$$,
                  'anything else is no login');

SELECT throws_like($$SELECT identity.check_password('short1')$$, 'IDENTITY_PASSWORD_WEAK:%', 'too short');
SELECT throws_like($$SELECT identity.check_password(repeat('é', 40))$$, 'IDENTITY_PASSWORD_WEAK:%', 'more than 72 bytes');
SELECT throws_like($$SELECT identity.check_password('Password123')$$, 'IDENTITY_PASSWORD_WEAK:%', 'a common password, any case');
SELECT throws_like($$SELECT identity.check_password('aaaaaaaaaaaa')$$, 'IDENTITY_PASSWORD_WEAK:%', 'one repeated character');
SELECT throws_like($$SELECT identity.check_password('kebede.alemu', 'Kebede.Alemu@example.com')$$, 'IDENTITY_PASSWORD_WEAK:%',
                   'the login''s local part');
SELECT lives_ok($$SELECT identity.check_password('correct horse battery')$$, 'a long passphrase passes');
SELECT ok(identity.hash_password('correct horse battery') ~ '^\$2a\$04\$', 'bcrypt at AUTH_BCRYPT_COST');
SELECT isnt(identity.hash_password('same password!'), identity.hash_password('same password!'), 'a fresh salt every time');

SELECT tests.as_anon();
SELECT ok(api.sign_up('cred-open', 'Alice@Example.com', 'correct horse battery', 'Alice') > 0, 'an anonymous caller signs up');
SELECT throws_like($$SELECT api.sign_up('cred-open', 'alice@EXAMPLE.com', 'another good one', 'Eve')$$, 'IDENTITY_LOGIN_TAKEN:%',
                   'a login is unique in its tenant, case-insensitively');
SELECT throws_like($$SELECT api.sign_up('cred-closed', 'bob@example.com', 'correct horse battery', 'Bob')$$,
                   'IDENTITY_SIGN_UP_CLOSED:%', 'only into a tenant that opted in');
SELECT throws_like($$SELECT api.sign_up('no-such', 'bob@example.com', 'correct horse battery', 'Bob')$$,
                   'IDENTITY_UNKNOWN_TENANT:%', 'an unknown tenant');
SELECT throws_like($$SELECT api.sign_up('cred-open', 'bob@example.com', 'password1', 'Bob')$$, 'IDENTITY_PASSWORD_WEAK:%',
                   'the password rules apply');
SELECT throws_like($$SELECT api.sign_up('cred-open', 'bob@example.com', 'correct horse battery', 'Bob', 'ADMIN')$$,
                   'IDENTITY_INVALID_INPUT:%', 'nobody signs up as an admin');
RESET ROLE;
SELECT results_eq($$SELECT u.email, u.user_type, u.tenant_id, u.auth_subject ~ '^mercato\|', p.password_hash ~ '^\$2a\$'
                      FROM identity.user_account u JOIN identity.password p ON p.user_id = u.id
                     WHERE u.email = 'alice@example.com'$$,
                  $$SELECT 'alice@example.com', 'CUSTOMER', open_id, true, true FROM t$$,
                  'the user, of its tenant, with a fresh subject and a bcrypt hash');
SELECT is((SELECT count(*)::int FROM audit.event WHERE entity_type = 'identity.password' AND action = 'PASSWORD_SET'
              AND old_values IS NULL AND new_values IS NULL), 1, 'the password is audited without values');

SELECT tests.as_user((SELECT auth_subject FROM identity.user_account WHERE email = 'alice@example.com'));
SELECT ok(api.add_login('+251911000001') > 0, 'a user adds a phone login');
SELECT throws_like($$SELECT api.change_password('wrong password', 'new long passphrase')$$, 'IDENTITY_PASSWORD_MISMATCH:%',
                   'a change needs the current password');
SELECT lives_ok($$SELECT api.change_password('correct horse battery', 'new long passphrase')$$, 'the password is changed');
RESET ROLE;
SELECT ok((SELECT tokens_valid_after = now() FROM identity.user_account WHERE email = 'alice@example.com'),
          'a password change moves tokens_valid_after');

-- deactivation ends every token at once, whoever changes the status
INSERT INTO identity.session (user_id, expires_at) SELECT id, now() + interval '1 day' FROM identity.user_account WHERE email = 'alice@example.com';
UPDATE identity.user_account SET tokens_valid_after = NULL WHERE email = 'alice@example.com';
UPDATE identity.user_account SET status = 'SUSPENDED' WHERE email = 'alice@example.com';
SELECT ok((SELECT tokens_valid_after = now() FROM identity.user_account WHERE email = 'alice@example.com'),
          'deactivation moves tokens_valid_after');
SELECT is((SELECT array_agg(DISTINCT s.status) FROM identity.session s JOIN identity.user_account u ON u.id = s.user_id
            WHERE u.email = 'alice@example.com'), ARRAY['REVOKED'], 'and revokes its sessions');
SELECT hasnt_column('identity', 'password', 'password', 'no column holds a clear password');

SELECT * FROM finish();
ROLLBACK;
