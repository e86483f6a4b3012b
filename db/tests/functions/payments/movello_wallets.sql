-- Tests for functions/payments/movello_wallets: a Movello business tops up its own wallet through a funding session
-- and a provider withdraws settlement proceeds through a withdrawal, on an ETB bank rail, with the same functions.
BEGIN;
SELECT plan(9);

SELECT tests.put('biz_wallet', (tests.verified_business('mv-biz')).wallet_account_id);
SELECT tests.put('prov_wallet', (tests.verified_provider('mv-prov')).wallet_account_id);
SELECT is((SELECT (w.owner_type, w.organization_id = b.organization_id)::text FROM payments.wallet w
             JOIN parties.business b ON b.wallet_account_id = w.account_id WHERE w.account_id = tests.id('biz_wallet')),
          '(ORG,t)', 'a new business''s wallet is its organization''s payments wallet');
SELECT ok(EXISTS (SELECT FROM payments.wallet WHERE account_id = tests.id('prov_wallet')), 'so is a new provider''s');
SELECT is((SELECT count(*)::int FROM parties.business b WHERE b.wallet_account_id IS NOT NULL
              AND NOT EXISTS (SELECT FROM payments.wallet w WHERE w.account_id = b.wallet_account_id)), 0,
          'every business wallet is registered');

-- an ETB bank rail for Movello, signed
SELECT tests.as_service();
SELECT api.set_rail('CBE', 'SIGNED', 'Commercial Bank of Ethiopia', 'ACTIVE', 'CBE', p_currency => 'ETB');
SELECT api.add_rail_hmac_secret('CBE', repeat('e', 40));
SELECT tests.as_owner();
CREATE FUNCTION pg_temp.bank(p_event text, p_type text, p_id bigint, p_status text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE v_body text; r jsonb;
BEGIN
    SELECT jsonb_build_object('event_id', p_event, 'reference', i.reference, 'status', p_status, 'amount', i.amount::text,
                              'currency', i.currency, 'account', i.account)::text INTO v_body
      FROM payments.rail_instruction i WHERE i.subject_type = p_type AND i.subject_id = p_id;
    PERFORM tests.as_service();
    r := api.ingest_webhook('CBE', tests.signed_headers(v_body, repeat('e', 40)), v_body);
    PERFORM tests.as_owner();
    RETURN r;
END $f$;

-- the business tops up its own wallet
SELECT tests.as_user('mv-biz');
SELECT tests.put('s', (api.create_funding_session(tests.id('biz_wallet'), 'CBE', 5000, 'ACC-1000200') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(pg_temp.bank('mv-e1', 'FUNDING', tests.id('s'), 'SUCCEEDED') ->> 'state', 'PROCESSED', 'the bank confirms the top-up');
SELECT is((SELECT status FROM payments.funding_session WHERE id = tests.id('s')), 'COMPLETED', 'the session completes');
SELECT is(tests.balance(tests.id('biz_wallet')), 5000::numeric, 'the business''s wallet is credited');

-- the provider withdraws what settlement paid it
SELECT ledger.transfer('test:mv:settlement', ledger.open_account('PLATFORM', 'test', 'EXTERNAL', 'ETB', true),
                       tests.id('prov_wallet'), 3000);
SELECT tests.as_user('mv-prov');
SELECT tests.put('w', (api.request_withdrawal(tests.id('prov_wallet'), 'CBE', 1200, 'ACC-9000100') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(pg_temp.bank('mv-e2', 'WITHDRAWAL', tests.id('w'), 'SUCCEEDED') ->> 'state', 'PROCESSED', 'the bank confirms the payout');
SELECT is((SELECT status FROM payments.withdrawal WHERE id = tests.id('w')), 'COMPLETED', 'the withdrawal completes');
SELECT is(tests.balance(tests.id('prov_wallet')), 1800::numeric, 'the provider''s wallet paid it out');

SELECT * FROM finish();
ROLLBACK;
