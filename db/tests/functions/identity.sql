-- Tests for functions/identity: claims, current_actor, require_*, user and role administration; and its rework
-- (issue 17): current_actor refuses a token issued before tokens_valid_after or naming an ended session.
BEGIN;
SELECT plan(38);

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

-- identity.require_user, is_service and caller_role (and core.raise, which require_user calls as its caller) are
-- internal: API roles reach them through SECURITY DEFINER functions. Granted in this rolled-back transaction only, to
-- unit-test what they answer for each API role.
GRANT EXECUTE ON FUNCTION identity.require_user(), identity.is_service(), identity.caller_role(),
    core.raise(text, text, text) TO mercato_anon, mercato_user, mercato_service;

-- users (the superuser running the tests counts as the service role)
CREATE TEMP TABLE t_ids AS SELECT
    identity.register_user('admin-sub', 'ADMIN', 'Ada Admin', NULL, 'ada@example.com') AS admin_id,
    identity.register_user('biz-sub', 'BUSINESS', 'Bea Business', NULL, NULL, '+251911000000') AS biz_id;
SELECT identity.assign_role((SELECT admin_id FROM t_ids), 'PLATFORM_ADMIN');
GRANT SELECT ON t_ids TO mercato_user, mercato_anon;

SELECT set_config('request.jwt.claims', '{"sub": "biz-sub", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT is((api.current_actor()).user_id, (SELECT biz_id FROM t_ids), 'current_actor resolves the sub claim');
SELECT is((api.current_actor()).user_type, 'BUSINESS', 'and the user type');
SELECT is(identity.current_user_id(), (SELECT biz_id FROM t_ids), 'current_user_id agrees');
SELECT is((identity.require_user()).user_id, (SELECT biz_id FROM t_ids), 'require_user returns a known active user');
SELECT ok(NOT identity.is_service(), 'mercato_user is not the service role');
SELECT is(identity.caller_role(), 'mercato_user', 'caller_role is the role PostgREST switched to');
SELECT throws_ok($$SELECT api.register_user('x-sub', 'STAFF', 'X')$$, 'PT403', NULL,
                 'a user without identity.manage_users cannot register users');
SELECT throws_like($$SELECT api.register_user('x-sub', 'STAFF', 'X')$$, 'IDENTITY_PERMISSION_DENIED:%', 'with a stable code');

SELECT set_config('request.jwt.claims', '{"sub": "admin-sub", "role": "mercato_user"}', true);
SELECT ok(api.register_user('new-sub', 'PROVIDER', 'Pat Provider') > 0, 'a platform admin registers users');
SELECT throws_ok($$SELECT api.register_user('new-sub', 'PROVIDER', 'Pat Again')$$, 'PT409', NULL, 'subjects are unique');
SELECT throws_like($$SELECT api.register_user('bad-sub', 'PROVIDER', 'Bad', NULL, 'not-an-email')$$,
                   'IDENTITY_INVALID_INPUT:%', 'bad email is refused with a stable code');
SELECT throws_like($$SELECT api.register_user('bad-sub', 'ROBOT', 'Bad')$$, 'IDENTITY_INVALID_INPUT:%', 'bad user type');
SELECT throws_like($$SELECT api.assign_role((SELECT biz_id FROM t_ids), 'NO_SUCH_ROLE')$$, 'IDENTITY_UNKNOWN_ROLE:%', 'unknown role');
SELECT is(api.assign_role((SELECT biz_id FROM t_ids), 'SUPPORT'), api.assign_role((SELECT biz_id FROM t_ids), 'SUPPORT'),
          'assigning a role twice is idempotent');
SELECT ok(api.revoke_role((SELECT biz_id FROM t_ids), 'SUPPORT'), 'roles can be revoked');
SELECT ok(NOT api.revoke_role((SELECT biz_id FROM t_ids), 'SUPPORT'), 'revoking twice does nothing');
SELECT lives_ok($$SELECT api.set_user_status((SELECT biz_id FROM t_ids), 'SUSPENDED')$$, 'an admin suspends a user');

SELECT set_config('request.jwt.claims', '{"sub": "biz-sub", "role": "mercato_user"}', true);
SELECT throws_ok($$SELECT identity.require_user()$$, 'PT403', NULL, 'a suspended user is refused');
SELECT set_config('request.jwt.claims', '{"role": "mercato_anon"}', true);
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT identity.require_user()$$, 'PT401', NULL, 'an anonymous caller is not authenticated');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT ok(identity.is_service(), 'mercato_service is the service role');
RESET ROLE;

-- A tenant's roles stay in the tenant (issue 14): not for a tenant admin, nor the back office.
SELECT set_config('request.jwt.claims', '', true);
CREATE TEMP TABLE t_ten AS SELECT identity.create_tenant('tap-ta', 'Tenant A') AS ta, identity.create_tenant('tap-tb', 'Tenant B') AS tb;
ALTER TABLE t_ten ADD COLUMN ta_admin bigint, ADD COLUMN ta_user bigint, ADD COLUMN tb_user bigint, ADD COLUMN loner bigint;
UPDATE t_ten SET ta_admin = identity.register_user('ta-admin', 'STAFF', 'TA admin', ta),
                 ta_user = identity.register_user('ta-user', 'STAFF', 'TA user', ta),
                 tb_user = identity.register_user('tb-user', 'STAFF', 'TB user', tb),
                 loner = identity.register_user('loner', 'STAFF', 'No tenant');
SELECT identity.assign_role(ta_admin, 'TENANT_ADMIN', ta) FROM t_ten;
GRANT SELECT ON t_ten TO mercato_user;
SELECT set_config('request.jwt.claims', '{"sub": "ta-admin", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$SELECT api.assign_role((SELECT tb_user FROM t_ten), 'SUPPORT', (SELECT ta FROM t_ten))$$, 'PT403', NULL,
                 'a tenant admin cannot give a role in its tenant to a user of another tenant');
SELECT throws_like($$SELECT api.assign_role((SELECT tb_user FROM t_ten), 'TENANT_ADMIN', (SELECT ta FROM t_ten))$$,
                   'IDENTITY_TENANT_MISMATCH:%', 'with a stable code');
SELECT lives_ok($$SELECT api.assign_role((SELECT ta_user FROM t_ten), 'SUPPORT', (SELECT ta FROM t_ten))$$,
                'a tenant admin gives roles to users of its tenant');
SELECT lives_ok($$SELECT api.assign_role((SELECT loner FROM t_ten), 'SUPPORT', (SELECT ta FROM t_ten))$$,
                'and to platform users (no tenant)');
RESET ROLE;
SELECT set_config('request.jwt.claims', '', true);
SELECT throws_like($$SELECT identity.assign_role((SELECT tb_user FROM t_ten), 'SUPPORT', (SELECT ta FROM t_ten))$$,
                   'IDENTITY_TENANT_MISMATCH:%', 'nor does the back office');

-- the rework: stale tokens (a revocation of an earlier transaction: its timestamps are moved into the past here)
CREATE TEMP TABLE t_tok AS SELECT identity.register_user('tok-sub', 'CUSTOMER', 'Toki') AS uid;
INSERT INTO identity.session (user_id, expires_at) SELECT uid, now() + interval '1 day' FROM t_tok;
CREATE TEMP TABLE t_claims AS
SELECT json_build_object('sub', 'tok-sub', 'role', 'mercato_user', 'iat', floor(extract(epoch FROM now()))::bigint - 60,
                         'sid', (SELECT max(id) FROM identity.session))::text AS c;
GRANT SELECT ON t_claims TO mercato_user;
SELECT set_config('request.jwt.claims', (SELECT c FROM t_claims), true);
SELECT is((identity.current_actor()).user_id, (SELECT uid FROM t_tok), 'a token of an ACTIVE session is accepted');
SELECT set_config('request.jwt.claims', '', true);   -- the owner moves timestamps (audited) as nobody
UPDATE identity.user_account SET tokens_valid_after = now() WHERE id = (SELECT uid FROM t_tok);
SELECT set_config('request.jwt.claims', (SELECT c FROM t_claims), true);
SELECT is((identity.current_actor()).user_id, (SELECT uid FROM t_tok), 'a revocation of this very transaction lets it finish');
SELECT set_config('request.jwt.claims', '', true);   -- the owner moves timestamps (audited) as nobody
UPDATE identity.user_account SET tokens_valid_after = now() - interval '30 seconds' WHERE id = (SELECT uid FROM t_tok);
SELECT set_config('request.jwt.claims', (SELECT c FROM t_claims), true);
SELECT throws_like($$SELECT identity.current_actor()$$, 'IDENTITY_TOKEN_REVOKED:%', 'iat before tokens_valid_after: refused');
SELECT throws_ok($$SELECT identity.current_actor()$$, 'PT401', NULL, 'with HTTP 401');
SELECT set_config('request.jwt.claims', '', true);   -- the owner moves timestamps (audited) as nobody
UPDATE identity.user_account SET tokens_valid_after = now() - interval '2 minutes' WHERE id = (SELECT uid FROM t_tok);
SELECT set_config('request.jwt.claims', (SELECT c FROM t_claims), true);
SELECT is((identity.current_actor()).user_id, (SELECT uid FROM t_tok), 'a token issued after tokens_valid_after is accepted');
SELECT set_config('request.jwt.claims', '', true);   -- the owner moves timestamps (audited) as nobody
UPDATE identity.session SET status = 'SIGNED_OUT', ended_at = now() - interval '1 second' WHERE user_id = (SELECT uid FROM t_tok);
SELECT set_config('request.jwt.claims', (SELECT c FROM t_claims), true);
SELECT throws_like($$SELECT identity.current_actor()$$, 'IDENTITY_TOKEN_REVOKED:%', 'a token of an ended session: refused');
SELECT set_config('request.jwt.claims', '{"sub": "tok-sub", "role": "mercato_user", "iat": "yesterday"}', true);
SELECT throws_like($$SELECT identity.current_actor()$$, 'IDENTITY_CLAIMS_INVALID:%', 'a malformed iat is refused');
SELECT set_config('request.jwt.claims', '', true);

SELECT * FROM finish();
ROLLBACK;
