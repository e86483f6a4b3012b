-- Tests for schemas/identity: tables, keys, constraints, privileges.
BEGIN;
SELECT plan(12);

SELECT has_schema('identity');
SELECT tables_are('identity', ARRAY['tenant', 'user_account', 'role', 'permission', 'role_permission', 'role_assignment',
                              'organization_kind', 'organization', 'membership', 'login_identifier', 'password',
                              'session', 'token', 'sign_in_throttle', 'jwt_secret', 'oauth_account']);
SELECT col_is_unique('identity', 'user_account', 'auth_subject', 'one user per external subject');
SELECT fk_ok('identity', 'role_assignment', 'user_id', 'identity', 'user_account', 'id');
SELECT fk_ok('identity', 'role_assignment', 'role_id', 'identity', 'role', 'id');
SELECT throws_ok($$INSERT INTO identity.user_account (auth_subject, user_type, display_name) VALUES ('x', 'ROBOT', 'x')$$,
                 '23514', NULL, 'user_type is checked');
SELECT throws_ok($$INSERT INTO identity.user_account (auth_subject, user_type, display_name, email) VALUES ('x', 'STAFF', 'x', 'nope')$$,
                 '23514', NULL, 'email shape is checked');
SELECT throws_ok($$INSERT INTO identity.tenant (code, name) VALUES ('Bad Code', 'x')$$, '23514', NULL, 'tenant code shape is checked');
SELECT ok(EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'identity.user_account'::regclass AND tgname = 'user_account_audit'),
          'user accounts are audited');
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM identity.user_account), 0, 'mercato_user without claims reads no user account (row-level security)');
SELECT throws_ok($$UPDATE identity.role_assignment SET revoked_at = now()$$, '42501', NULL, 'mercato_user cannot touch role assignments');
RESET ROLE;
SELECT is((SELECT count(*) FROM identity.role WHERE code = 'PLATFORM_ADMIN'), 1::bigint, 'PLATFORM_ADMIN role is seeded');

SELECT * FROM finish();
ROLLBACK;
