-- Tests for functions/parties/registration: registration, who may do what, KYB and verification, top-up.
BEGIN;
SELECT plan(13);

SELECT identity.register_user('kc|pt-biz', 'BUSINESS', 'Selam');
SELECT identity.register_user('kc|pt-prov', 'PROVIDER', 'Abebe');
SELECT identity.register_user('kc|pt-prov2', 'PROVIDER', 'Tana');
SELECT identity.register_user('kc|pt-admin', 'ADMIN', 'Admin');
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|pt-admin'), 'PLATFORM_ADMIN');
CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- parties.current_business / current_provider are internal (API roles reach them through SECURITY DEFINER functions);
-- granted in this rolled-back transaction only, to read the caller's own party as that caller.
GRANT EXECUTE ON FUNCTION parties.current_business(), parties.current_provider() TO mercato_user;

-- registration
SELECT tests.as_user('kc|pt-biz');
INSERT INTO ids SELECT 'biz', api.register_business('Selam Logistics PLC', 'LOGISTICS', 'TIN-0001');
SELECT throws_like($$SELECT api.register_business('Again', 'LOGISTICS')$$, 'IDENTITY_ALREADY_REGISTERED:%', 'one business per user');
SELECT throws_like($$SELECT api.register_provider('COMPANY', 'Nope')$$, 'IDENTITY_WRONG_USER_TYPE:%', 'a business user is not a provider');
SELECT throws_like($$SELECT api.set_business_kyb((SELECT v FROM ids WHERE k = 'biz'), 'VERIFIED')$$,
                   'IDENTITY_PERMISSION_DENIED:%', 'a business cannot verify itself');
SELECT is((parties.current_business()).kyb_status, 'PENDING_KYB', 'a new business awaits KYB');
RESET ROLE;
SELECT is((SELECT a.owner_type || ':' || a.purpose || ':' || a.currency FROM ledger.account a
             JOIN parties.business b ON b.wallet_account_id = a.id WHERE b.id = (SELECT v FROM ids WHERE k = 'biz')),
          'BUSINESS:MAIN:ETB', 'registration opens the business wallet in the marketplace currency');

SELECT tests.as_user('kc|pt-prov');
SELECT throws_like($$SELECT api.register_provider('FLEET', 'Abebe Cars')$$, 'IDENTITY_PARTY_INVALID:%', 'provider types are checked');
SELECT throws_like($$SELECT api.register_provider('COMPANY', '   ')$$, 'IDENTITY_PARTY_INVALID:%', 'a name is required');
INSERT INTO ids SELECT 'prov', api.register_provider('COMPANY', 'Abebe Cars', 'TIN-0002');
SELECT is((parties.current_provider()).trust_score::int, 50, 'a new provider starts at TRUST_SCORE_INITIAL');
SELECT is((parties.current_provider()).tier_code, 'BRONZE', 'and in the default tier');

-- top-up (back office)
SELECT tests.as_user('kc|pt-biz');
SELECT throws_like($$SELECT api.top_up_business((SELECT v FROM ids WHERE k = 'biz'), 100, 'topup-1')$$,
                   'IDENTITY_PERMISSION_DENIED:%', 'a business cannot mint money');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT ok(api.top_up_business((SELECT v FROM ids WHERE k = 'biz'), 5000, 'topup-1') > 0, 'the back office tops a wallet up');
SELECT is(api.top_up_business((SELECT v FROM ids WHERE k = 'biz'), 5000, 'topup-1'),
          (SELECT id FROM api.transactions WHERE reference = 'topup-1'), 'idempotently');
RESET ROLE;
SELECT is((SELECT balance FROM ledger.account_balance((SELECT wallet_account_id FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'biz')))),
          5000::numeric, 'once');

SELECT * FROM finish();
ROLLBACK;
