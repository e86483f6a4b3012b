-- Tests for functions/parties/registration: registration, who may do what, KYB and verification, top-up; a business or
-- provider is an organization whose members act for it, each within its role.
BEGIN;
SELECT plan(29);

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

-- every business and provider is an organization of its kind, its registering user the first OWNER
SELECT is((SELECT o.kind || ':' || m.role || ':' || (m.user_id = b.user_id)::text
             FROM parties.business b JOIN identity.organization o ON o.id = b.organization_id
             JOIN identity.membership m ON m.organization_id = o.id
            WHERE b.id = (SELECT v FROM ids WHERE k = 'biz')), 'BUSINESS:OWNER:true',
          'registration opens an organization of kind BUSINESS with the caller as its OWNER');
SELECT is((SELECT o.kind || ':' || o.name FROM parties.provider p JOIN identity.organization o ON o.id = p.organization_id
            WHERE p.id = (SELECT v FROM ids WHERE k = 'prov')), 'PROVIDER:Abebe Cars', 'and one of kind PROVIDER for a provider');
SELECT col_is_unique('parties', 'business', 'organization_id', 'one business per organization');
SELECT col_not_null('parties', 'provider', 'organization_id', 'every provider is an organization');

-- a member acts for the business within its role; the OWNER may also be a member elsewhere
SELECT identity.register_user('kc|pt-staff', 'STAFF', 'Staff');
SELECT identity.register_user('kc|pt-biz2', 'BUSINESS', 'Second');
GRANT EXECUTE ON FUNCTION parties.acts_for_business(bigint, text), parties.acts_for_provider(bigint, text) TO mercato_user;
SELECT tests.as_user('kc|pt-biz');
SELECT ok(parties.acts_for_business((SELECT v FROM ids WHERE k = 'biz'), 'OWNER'), 'the registering user acts for it as OWNER');
SELECT ok(NOT parties.acts_for_provider((SELECT v FROM ids WHERE k = 'prov')), 'and not for someone else''s provider');
SELECT ok(NOT parties.acts_for_business(-1), 'nor for an unknown business');
SELECT api.add_member((SELECT organization_id FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'biz')),
                      p_subject => 'kc|pt-staff');
RESET ROLE;
SELECT tests.as_user('kc|pt-staff');
SELECT is((parties.current_business()).id, (SELECT v FROM ids WHERE k = 'biz'), 'a STAFF member acts for the business');
SELECT ok(parties.acts_for_business((SELECT v FROM ids WHERE k = 'biz')) AND NOT parties.acts_for_business((SELECT v FROM ids WHERE k = 'biz'), 'ADMIN'),
          'as STAFF, not ADMIN');
SELECT throws_like($$SELECT parties.current_provider()$$, 'IDENTITY_NOT_A_PROVIDER:%', 'and is no provider');
SELECT throws_like($$SELECT api.register_business('Mine', 'RETAIL')$$, 'IDENTITY_WRONG_USER_TYPE:%', 'registering stays for BUSINESS users');
RESET ROLE;
SELECT tests.as_user('kc|pt-biz2');
INSERT INTO ids SELECT 'biz2', api.register_business('Second PLC', 'RETAIL');
SELECT api.add_member((SELECT organization_id FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'biz2')),
                      p_subject => 'kc|pt-staff', p_role => 'ADMIN');
RESET ROLE;
SELECT tests.as_user('kc|pt-staff');    -- STAFF of biz, ADMIN of biz2
SELECT throws_like($$SELECT parties.current_business()$$, 'IDENTITY_ORG_AMBIGUOUS:%', 'a member of two businesses must pick one');
SELECT set_config('request.jwt.claims', json_build_object('sub', 'kc|pt-staff', 'role', 'mercato_user',
    'org', (SELECT organization_id FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'biz2')))::text, true);
SELECT is((parties.current_business()).id, (SELECT v FROM ids WHERE k = 'biz2'), 'with the "org" claim');
SELECT ok(parties.acts_for_business((SELECT v FROM ids WHERE k = 'biz2'), 'ADMIN'), 'where it is ADMIN');
RESET ROLE;

-- a party row loaded directly by the owner (fixtures) gets its organization; a wrong one is refused
SELECT identity.register_user('kc|pt-loaded', 'PROVIDER', 'Loaded');
INSERT INTO ids SELECT 'loaded', identity.open_organization('BUSINESS', NULL, 'Not a provider', (SELECT id FROM identity.user_account WHERE auth_subject = 'kc|pt-loaded'));
SELECT throws_like($$INSERT INTO parties.provider (user_id, organization_id, provider_type, name)
                     SELECT id, (SELECT v FROM ids WHERE k = 'loaded'), 'COMPANY', 'X' FROM identity.user_account WHERE auth_subject = 'kc|pt-loaded'$$,
                   'IDENTITY_PARTY_INVALID:%', 'a provider is an organization of kind PROVIDER');
INSERT INTO parties.provider (user_id, provider_type, name) SELECT id, 'COMPANY', 'Loaded Cars' FROM identity.user_account WHERE auth_subject = 'kc|pt-loaded';
SELECT is((SELECT o.kind || ':' || m.role FROM parties.provider p JOIN identity.organization o ON o.id = p.organization_id
             JOIN identity.membership m ON m.organization_id = o.id WHERE p.name = 'Loaded Cars'), 'PROVIDER:OWNER',
          'a provider inserted without one gets its organization, its user as OWNER');

SELECT * FROM finish();
ROLLBACK;
