-- Tests for functions/payments/rails: the back office configures rails and secrets (rotation, a path token returned
-- once and stored hashed); users see active rails without settings; instructions and queries go through the outbox.
BEGIN;
SELECT plan(12);

SELECT tests.payments_world('rl');
SELECT tests.as_user('rl-payer');
SELECT throws_like($$SELECT api.set_rail('MPESA', p_status => 'ACTIVE')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a user configures no rail');
SELECT throws_like($$SELECT api.new_rail_path_token('MPESA')$$, 'IDENTITY_PERMISSION_DENIED:%', 'nor issues a path token');
SELECT tests.as_user('rl-admin');
SELECT is(api.set_rail('KCB', p_status => 'ACTIVE', p_answer_timeout_seconds => 60) ->> 'answer_timeout_seconds', '60',
          'the payments admin configures a rail');
SELECT throws_like($$SELECT api.set_rail('KCB', p_kind => 'UNSIGNED')$$, 'PAYMENTS_INVALID_INPUT:%', 'a rail''s kind never changes');
SELECT throws_like($$SELECT api.set_rail('MPESA', p_source_allowlist => '{not-a-network}')$$, 'PAYMENTS_INVALID_INPUT:%',
                   'the allowlist takes networks only');
SELECT tests.put('k1', api.add_rail_hmac_secret('KCB', repeat('a', 32)));
SELECT tests.put('k2', api.add_rail_hmac_secret('KCB', repeat('b', 32)));
SELECT tests.put('k3', api.add_rail_hmac_secret('KCB', repeat('c', 32)));
SELECT is((SELECT live_hmac_secrets FROM api.rails() WHERE code = 'KCB'), 2, 'two keys live during a rotation');
SELECT throws_like($$SELECT api.add_rail_hmac_secret('MPESA', repeat('a', 32))$$, 'PAYMENTS_UNKNOWN_RAIL:%',
                   'an unsigned rail has no HMAC key');
SELECT tests.put('tok', length(api.new_rail_path_token('MPESA')));
SELECT is(tests.id('tok'), 43::bigint, 'a path token is 43 base64url characters, returned once');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM payments.rail_secret WHERE rail_code = 'MPESA' AND kind = 'PATH_TOKEN' AND retired_at IS NULL
              AND token_hash IS NOT NULL AND secret IS NULL), 1, 'stored hashed');
SELECT tests.as_user('rl-payer');
SELECT is((SELECT array_agg(code) FROM api.rails()), ARRAY['KCB'], 'a user sees the active rails');
SELECT is((SELECT answer_timeout_seconds FROM api.rails()), NULL, 'without their settings');
SELECT tests.as_owner();
SELECT is(payments.sweep_rail_instructions(), 0, 'the sweeper has nothing to ask');

SELECT * FROM finish();
ROLLBACK;
