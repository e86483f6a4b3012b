-- Tests for functions/payments/wallets: one wallet per owner and currency on the ledger, who may use it, KYC levels
-- by the back office only, and the limits in force per currency and level.
BEGIN;
SELECT plan(18);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pw') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.put('mw', payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'));
SELECT is(payments.wallet_for('USER', pg_temp.u('payer'), 'KES'), tests.id('pw'), 'the same owner and currency: the same wallet');
SELECT isnt(payments.wallet_for('USER', pg_temp.u('payer'), 'USD'), tests.id('pw'), 'another currency: another wallet');
SELECT is((SELECT (owner_type, owner_id, purpose, currency)::text FROM ledger.account WHERE id = tests.id('pw')),
          (SELECT ('USER', pg_temp.u('payer')::text, 'MAIN', 'KES')::text), 'a wallet is a ledger MAIN account of its owner');
SELECT is(tests.error_of($$SELECT payments.wallet_for('ORG', -1, 'KES')$$), 'PT404 IDENTITY_UNKNOWN_ORGANIZATION organization -1',
          'no wallet for an unknown organization');
SELECT throws_like($$SELECT payments.wallet_for('TEAM', 1, 'KES')$$, 'PAYMENTS_INVALID_INPUT:%', 'owner types are USER and ORG');

-- who may use it
SELECT tests.as_user('pw-payer');
SELECT is(api.wallet_limits(tests.id('pw')) ->> 'kyc_level', '0', 'a user uses its own wallet');
SELECT is(tests.error_of(format('SELECT api.wallet_limits(%s)', tests.id('mw'))),
          format('PT404 PAYMENTS_UNKNOWN_WALLET wallet %s', tests.id('mw')), 'not a merchant''s it is no member of');
SELECT tests.as_user('pw-clerk');
SELECT is((SELECT count(*)::int FROM api.wallet_statement(tests.id('mw'))), 0, 'a clerk reads its merchant''s wallet');
SELECT tests.as_owner();
SELECT is(tests.error_of(format($q$SELECT set_config('request.jwt.claims', '{"sub": "pw-clerk", "role": "mercato_user"}', true),
                                          set_config('role', 'mercato_user', true), payments.require_wallet(%s, 'ADMIN')$q$,
                                tests.id('mw'))), format('PT404 PAYMENTS_UNKNOWN_WALLET wallet %s', tests.id('mw')),
          'but moves no money out of it (ADMIN needed)');
SELECT tests.as_owner();
SELECT tests.as_user('pw-clerk');
SELECT is((SELECT array_agg(wallet_id) FROM api.my_wallets()), ARRAY[tests.id('mw')], 'the clerk lists its merchant''s wallet');
SELECT is(tests.error_of(format('SELECT api.open_wallet(''USD'', %s)', pg_temp.u('merchant'))),
          format('PT404 IDENTITY_UNKNOWN_ORGANIZATION organization %s', pg_temp.u('merchant')), 'but opens none for it');
SELECT tests.as_user('pw-merchant');
SELECT is(api.open_wallet('KES', pg_temp.u('merchant')), tests.id('mw'), 'the owner opens (finds) it');
SELECT tests.as_owner();

-- KYC and limits
SELECT is(payments.wallet_limits(tests.id('pw')) - 'wallet_id',
          '{"currency": "KES", "kyc_level": 0, "max_balance": "100000.00", "daily_withdrawal": "20000.00",
            "policy_version": 1}'::jsonb, 'level 0 limits without a KYC row');
SELECT tests.as_user('pw-payer');
SELECT throws_like(format('SELECT api.set_kyc_level(''USER'', %s, 3)', pg_temp.u('payer')), 'IDENTITY_PERMISSION_DENIED:%',
                   'nobody raises their own KYC level');
SELECT tests.as_user('pw-admin');
SELECT lives_ok(format('SELECT api.set_kyc_level(''USER'', %s, 2, ''passport checked'')', pg_temp.u('payer')),
                'the payments admin sets it');
SELECT tests.as_owner();
SELECT is(payments.wallet_limits(tests.id('pw')) ->> 'daily_withdrawal', '300000.00', 'level 2 limits follow');
SELECT is((SELECT actor_user_id FROM audit.event WHERE module = 'payments' AND entity_type = 'payments.kyc'), pg_temp.u('admin'),
          'the KYC change is audited with its actor');
SELECT is(tests.error_of(format('SELECT payments.wallet_limits(%s)', payments.wallet_for('USER', pg_temp.u('payer'), 'EUR'))),
          'PT409 PAYMENTS_LIMITS_UNDEFINED policy PAYMENTS_WALLET_LIMITS version 1: no limits for EUR at KYC level 2',
          'a currency the policy does not cover is refused, not unlimited');

SELECT * FROM finish();
ROLLBACK;
