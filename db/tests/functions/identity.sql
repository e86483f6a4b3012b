-- Tests for functions/identity: claims, current_actor, require_*, user and role administration.
BEGIN;
SELECT plan(26);

SELECT is_definer('identity', 'current_actor', ARRAY[]::text[], 'current_actor is SECURITY DEFINER');
SELECT isnt_definer('identity', 'is_service', ARRAY[]::text[], 'is_service sees the invoker''s role');
SELECT volatility_is('identity', 'current_actor', ARRAY[]::text[], 'stable', 'current_actor is STABLE');

-- claims, exactly as PostgREST sets them
SELECT set_config('request.jwt.claims', '', true);
SELECT is(identity.claims(), '{}'::jsonb, 'no claims: empty object');
SELECT set_config('request.jwt.claims', 'not json', true);
SELECT throws_ok($$SELECT identity.claims()$$, 'PT401', NULL, 'malformed claims are refused');
SELECT set_config('request.jwt.claims', '[1, 2]', true);
SELECT throws_like($$SELECT identity.claims()$$, 'IDENTITY_CLAIMS_INVALID:%', 'claims must be an object');
SELECT set_config('request.jwt.claims', '', true);

-- users (the superuser running the tests counts as the service role)
CREATE TEMP TABLE t_ids AS SELECT
    identity.register_user('admin-sub', 'ADMIN', 'Ada Admin', NULL, 'ada@example.com') AS admin_id,
    identity.register_user('biz-sub', 'BUSINESS', 'Bea Business', NULL, NULL, '+251911000000') AS biz_id;
SELECT identity.assign_role((SELECT admin_id FROM t_ids), 'PLATFORM_ADMIN');
GRANT SELECT ON t_ids TO mercato_user, mercato_anon;

SELECT set_config('request.jwt.claims', '{"sub": "biz-sub", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT is((identity.current_actor()).user_id, (SELECT biz_id FROM t_ids), 'current_actor resolves the sub claim');
SELECT is((identity.current_actor()).user_type, 'BUSINESS', 'and the user type');
SELECT is(identity.current_user_id(), (SELECT biz_id FROM t_ids), 'current_user_id agrees');
SELECT is((identity.require_user()).user_id, (SELECT biz_id FROM t_ids), 'require_user returns a known active user');
SELECT ok(NOT identity.is_service(), 'mercato_user is not the service role');
SELECT is(identity.caller_role(), 'mercato_user', 'caller_role is the role PostgREST switched to');
SELECT throws_ok($$SELECT identity.register_user('x-sub', 'STAFF', 'X')$$, 'PT403', NULL,
                 'a user without identity.manage_users cannot register users');
SELECT throws_like($$SELECT identity.register_user('x-sub', 'STAFF', 'X')$$, 'IDENTITY_PERMISSION_DENIED:%', 'with a stable code');

SELECT set_config('request.jwt.claims', '{"sub": "admin-sub", "role": "mercato_user"}', true);
SELECT ok(identity.register_user('new-sub', 'PROVIDER', 'Pat Provider') > 0, 'a platform admin registers users');
SELECT throws_ok($$SELECT identity.register_user('new-sub', 'PROVIDER', 'Pat Again')$$, 'PT409', NULL, 'subjects are unique');
SELECT throws_like($$SELECT identity.register_user('bad-sub', 'PROVIDER', 'Bad', NULL, 'not-an-email')$$,
                   'IDENTITY_INVALID_INPUT:%', 'bad email is refused with a stable code');
SELECT throws_like($$SELECT identity.register_user('bad-sub', 'ROBOT', 'Bad')$$, 'IDENTITY_INVALID_INPUT:%', 'bad user type');
SELECT throws_like($$SELECT identity.assign_role((SELECT biz_id FROM t_ids), 'NO_SUCH_ROLE')$$, 'IDENTITY_UNKNOWN_ROLE:%', 'unknown role');
SELECT is(identity.assign_role((SELECT biz_id FROM t_ids), 'SUPPORT'), identity.assign_role((SELECT biz_id FROM t_ids), 'SUPPORT'),
          'assigning a role twice is idempotent');
SELECT ok(identity.revoke_role((SELECT biz_id FROM t_ids), 'SUPPORT'), 'roles can be revoked');
SELECT ok(NOT identity.revoke_role((SELECT biz_id FROM t_ids), 'SUPPORT'), 'revoking twice does nothing');
SELECT lives_ok($$SELECT identity.set_user_status((SELECT biz_id FROM t_ids), 'SUSPENDED')$$, 'an admin suspends a user');

SELECT set_config('request.jwt.claims', '{"sub": "biz-sub", "role": "mercato_user"}', true);
SELECT throws_ok($$SELECT identity.require_user()$$, 'PT403', NULL, 'a suspended user is refused');
SELECT set_config('request.jwt.claims', '{"role": "mercato_anon"}', true);
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT identity.require_user()$$, 'PT401', NULL, 'an anonymous caller is not authenticated');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT ok(identity.is_service(), 'mercato_service is the service role');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
