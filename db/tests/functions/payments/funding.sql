-- Tests for functions/payments/funding: who may top up which wallet, the checks (rail, amount, payer, maximum
-- balance), the fee snapshot and the instruction, completion once, expiry by the job.
BEGIN;
SELECT plan(12);

CREATE TEMP TABLE w AS SELECT tests.rails_world('fu', 0) AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT tests.as_user('fu-clerk');
SELECT throws_like(format('SELECT api.create_funding_session(%s, ''MPESA'', 100, ''254712345678'')', pg_temp.u('merchant_wallet')),
                   'PAYMENTS_UNKNOWN_WALLET:%', 'a STAFF member does not top up its organization''s wallet');
SELECT tests.as_user('fu-merchant');
SELECT is(api.create_funding_session(pg_temp.u('merchant_wallet'), 'MPESA', 100, '254712345678') ->> 'status', 'PENDING',
          'its OWNER does');
SELECT tests.as_user('fu-payer');
SELECT throws_like(format('SELECT api.create_funding_session(%s, ''MPESA'', 100, ''0712345678'')', pg_temp.u('wallet')),
                   'PAYMENTS_INVALID_INPUT:%', 'an M-Pesa payer is a 2547/2541 number');
SELECT throws_like(format('SELECT api.create_funding_session(%s, ''MPESA'', 100.50, ''254712345678'')', pg_temp.u('wallet')),
                   'PAYMENTS_INVALID_INPUT:%', 'M-Pesa moves whole shillings');
SELECT throws_like(format('SELECT api.create_funding_session(%s, ''DTB'', 100, ''ACC-1234'')', pg_temp.u('wallet')),
                   'PAYMENTS_UNKNOWN_RAIL:%', 'a disabled rail takes no session');
SELECT throws_like(format('SELECT api.create_funding_session(%s, ''MPESA'', 100001, ''254712345678'')', pg_temp.u('wallet')),
                   'PAYMENTS_LIMIT_EXCEEDED:%', 'the maximum balance of KYC level 0 (100,000) is checked');
SELECT tests.put('s', (api.create_funding_session(pg_temp.u('wallet'), 'MPESA', 60000, '254712345678') ->> 'id')::bigint);
SELECT throws_like(format('SELECT api.create_funding_session(%s, ''MPESA'', 50000, ''254712345678'')', pg_temp.u('wallet')),
                   'PAYMENTS_LIMIT_EXCEEDED:%', 'pending top-ups count towards it');
SELECT is(api.funding_session(tests.id('s')) ->> 'instruction_state', 'SENT', 'the session reads back with its instruction');
SELECT tests.as_user('fu-clerk');
SELECT throws_like(format('SELECT api.funding_session(%s)', tests.id('s')), 'PAYMENTS_UNKNOWN_FUNDING_SESSION:%',
                   'another''s session is unknown');
SELECT tests.as_owner();
SELECT is(payments.complete_funding(tests.id('s')), NULL, 'completion posts once');
SELECT alike(payments.complete_funding(tests.id('s')), '%is COMPLETED%', 'a second completion is refused, not posted');
UPDATE payments.funding_session SET expires_at = now() - interval '1 minute'
 WHERE wallet_id = pg_temp.u('merchant_wallet');
SELECT is(payments.expire_funding_sessions(), 1, 'the job expires a stale session');

SELECT * FROM finish();
ROLLBACK;
