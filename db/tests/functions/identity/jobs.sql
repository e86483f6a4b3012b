-- Tests for functions/identity/jobs: both jobs registered; the throttle purge keeps locks in force and the last day's
-- failures; a sign-in after a purge works; the token purge keeps REFRESH tokens and recent ones.
BEGIN;
SELECT plan(10);

SELECT is((SELECT count(*)::int FROM jobs.job WHERE name IN ('identity.purge_throttle', 'identity.purge_tokens') AND enabled), 2,
          'identity.purge_throttle and identity.purge_tokens are registered and enabled');

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';
SELECT identity.set_jwt_secret('0123456789abcdef0123456789abcdef-test');
SELECT identity.create_tenant('jobs-id', 'Shop', '{"self_sign_up": true}');
SELECT tests.put('u', identity.sign_up('jobs-id', 'purge@example.com', 'correct horse battery', 'Purge'));
INSERT INTO identity.sign_in_throttle (tenant_key, login, failures, last_failure_at, locked_until) VALUES
    (0, 'old-failure', 3, now() - interval '2 days', NULL),
    (0, 'recent-failure', 1, now() - interval '1 hour', NULL),
    (0, 'locked', 9, now() - interval '2 days', now() + interval '1 hour'),
    (0, 'lock-over', 9, now() - interval '2 days', now() - interval '1 hour'),
    (0, 'clean', 0, NULL, NULL);
SELECT is((jobs.run('identity.purge_throttle')).outcome, 'OK', 'the purge job runs');
SELECT set_eq($$SELECT login FROM identity.sign_in_throttle WHERE tenant_key = 0$$,
              $$VALUES ('recent-failure'), ('locked')$$, 'a lock in force and a failure of the last day are kept, the rest goes');
SELECT throws_like($$SELECT identity.purge_throttle(0)$$, 'CORE_INVALID_ARGUMENT:%', 'a limit of at least 1');

-- a sign-in whose throttle row was purged makes it again
SELECT ok((identity.sign_in('purge@example.com', 'wrong password', 'jobs-id')).error = 'IDENTITY_SIGN_IN_FAILED', 'a failure');
UPDATE identity.sign_in_throttle SET last_failure_at = now() - interval '2 days' WHERE login = 'purge@example.com';
SELECT is(identity.purge_throttle(), 1, 'its row goes two days later');
SELECT ok((identity.sign_in('purge@example.com', 'correct horse battery', 'jobs-id')).error IS NULL, 'the next sign-in works');

-- tokens
SELECT set_config('request.jwt.claims', json_build_object('sub', (SELECT auth_subject FROM identity.user_account
                                                                   WHERE id = tests.id('u')), 'role', 'mercato_user')::text, true);
SELECT identity.request_verification('purge@example.com');
SELECT identity.request_password_reset('purge@example.com', 'jobs-id');
UPDATE identity.token SET expires_at = now() - interval '31 days' WHERE purpose = 'VERIFY_LOGIN' AND user_id = tests.id('u');
UPDATE identity.token SET expires_at = now() - interval '31 days' WHERE purpose = 'REFRESH' AND user_id = tests.id('u');
SELECT is((jobs.run('identity.purge_tokens')).outcome, 'OK', 'the token purge job runs');
SELECT set_eq($$SELECT purpose FROM identity.token WHERE user_id = tests.id('u')$$, $$VALUES ('REFRESH'), ('RESET_PASSWORD')$$,
              'a verification token expired 31 days ago goes; REFRESH tokens and recent ones stay');
SELECT throws_like($$SELECT identity.purge_tokens(0)$$, 'CORE_INVALID_ARGUMENT:%', 'at least a day is kept');

SELECT * FROM finish();
ROLLBACK;
