-- Tests for functions/identity/organizations: which organization the caller acts for (the "org" claim), roles within an
-- organization, member management by OWNERs and ADMINs, at least one OWNER, the tenant rule.
BEGIN;
SELECT plan(54);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
INSERT INTO ids SELECT 't1', identity.create_tenant('io-t1', 'Tenant one');
INSERT INTO ids SELECT 't2', identity.create_tenant('io-t2', 'Tenant two');
INSERT INTO ids SELECT s, identity.register_user('kc|io-' || s, t, s, (SELECT v FROM ids WHERE k = tn))
  FROM (VALUES ('owner', 'BUSINESS', 't1'), ('admin', 'STAFF', 't1'), ('staff', 'STAFF', 't1'), ('newbie', 'STAFF', 't1'),
               ('both', 'BUSINESS', 't1'), ('prov', 'PROVIDER', 't1'), ('alien', 'STAFF', 't2'), ('tadmin', 'ADMIN', 't1')) x(s, t, tn);
SELECT identity.assign_role((SELECT v FROM ids WHERE k = 'tadmin'), 'TENANT_ADMIN', (SELECT v FROM ids WHERE k = 't1'));
-- Two businesses and a provider of tenant 1, each opened with its first OWNER (as registration does)
INSERT INTO ids SELECT 'org', identity.open_organization('BUSINESS', (SELECT v FROM ids WHERE k = 't1'), 'Selam', (SELECT v FROM ids WHERE k = 'owner'));
INSERT INTO ids SELECT 'org2', identity.open_organization('BUSINESS', (SELECT v FROM ids WHERE k = 't1'), 'Other', (SELECT v FROM ids WHERE k = 'both'));
INSERT INTO ids SELECT 'porg', identity.open_organization('PROVIDER', (SELECT v FROM ids WHERE k = 't1'), 'Cars', (SELECT v FROM ids WHERE k = 'prov'));
-- identity.acting_organization and identity.acts_for are internal (product modules call them in SECURITY DEFINER
-- functions); granted in this rolled-back transaction only, to ask them as the caller.
GRANT EXECUTE ON FUNCTION identity.acting_organization(text, boolean), identity.acts_for(bigint, text),
    identity.member_role(bigint) TO mercato_user;

-- opening an organization
SELECT is((SELECT role || ':' || status FROM identity.membership WHERE organization_id = (SELECT v FROM ids WHERE k = 'org')),
          'OWNER:ACTIVE', 'an organization opens with its first OWNER');
SELECT is((SELECT owner_count FROM identity.organization WHERE id = (SELECT v FROM ids WHERE k = 'org')), 1, 'counted');
SELECT throws_like($$SELECT identity.open_organization('SPACESHIP', NULL, 'x', (SELECT v FROM ids WHERE k = 'owner'))$$,
                   'IDENTITY_INVALID_INPUT:%', 'only a registered kind');
SELECT throws_like($$SELECT identity.open_organization('BUSINESS', (SELECT v FROM ids WHERE k = 't2'), 'x', (SELECT v FROM ids WHERE k = 'owner'))$$,
                   'IDENTITY_TENANT_MISMATCH:%', 'its OWNER is a user of its tenant');

-- member management: OWNER adds an ADMIN, ADMIN adds STAFF
SELECT tests.as_user('kc|io-owner');
SELECT lives_ok($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'admin'), p_role => 'ADMIN')$$,
                'an OWNER adds an ADMIN');
RESET ROLE;
SELECT tests.as_user('kc|io-admin');
SELECT lives_ok($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), p_subject => 'kc|io-staff')$$,
                'an ADMIN adds STAFF, by subject');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'newbie'), p_role => 'ADMIN')$$,
                   'IDENTITY_ORG_ROLE_REQUIRED:%', 'but not an ADMIN (that needs OWNER)');
SELECT throws_ok($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'newbie'), p_role => 'OWNER')$$,
                 'PT403', NULL, 'nor an OWNER, as a 403');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'alien'))$$,
                   'IDENTITY_UNKNOWN_USER:%', 'a user of another tenant cannot be added');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), p_subject => 'kc|io-alien')$$,
                   'IDENTITY_UNKNOWN_USER:%', 'not by subject either');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), p_subject => 'kc|io-staff')$$,
                   'IDENTITY_ALREADY_MEMBER:%', 'a member is added once');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'newbie'), 'kc|io-newbie')$$,
                   'IDENTITY_INVALID_INPUT:%', 'by id or by subject, not both');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'newbie'), p_role => 'BOSS')$$,
                   'IDENTITY_INVALID_INPUT:%', 'roles are OWNER, ADMIN, STAFF');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org2'), (SELECT v FROM ids WHERE k = 'newbie'))$$,
                   'IDENTITY_UNKNOWN_ORGANIZATION:%', 'a non-member cannot add members: no such organization for it');
RESET ROLE;
SELECT tests.as_user('kc|io-staff');
SELECT throws_like($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'newbie'))$$,
                   'IDENTITY_ORG_ROLE_REQUIRED:%', 'STAFF cannot add members');
SELECT throws_like($$SELECT api.set_member_role((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'staff'), 'ADMIN')$$,
                   'IDENTITY_ORG_ROLE_REQUIRED:%', 'nor promote itself');
SELECT results_eq($$SELECT role FROM api.organization_members((SELECT v FROM ids WHERE k = 'org'))$$,
                  $$VALUES ('OWNER'::text), ('ADMIN'), ('STAFF')$$, 'a member lists the members, OWNERs first');
SELECT results_eq($$SELECT organization_id, role FROM api.my_organizations()$$,
                  $$SELECT v, 'STAFF'::text FROM ids WHERE k = 'org'$$, 'and its own organizations with its role');
RESET ROLE;
SELECT tests.as_user('kc|io-prov');
SELECT throws_like($$SELECT * FROM api.organization_members((SELECT v FROM ids WHERE k = 'org'))$$,
                   'IDENTITY_UNKNOWN_ORGANIZATION:%', 'a non-member does not');
RESET ROLE;
SELECT tests.as_user('kc|io-tadmin');
SELECT is((SELECT count(*)::int FROM api.organization_members((SELECT v FROM ids WHERE k = 'org'))), 3,
          'a tenant admin (identity.manage_users) does');
SELECT lives_ok($$SELECT api.add_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'both'))$$,
                'and may add members');
RESET ROLE;

-- which organization the caller acts for
SELECT tests.as_user('kc|io-staff');
SELECT is(identity.acting_organization('BUSINESS'), (SELECT v FROM ids WHERE k = 'org'), 'a member acts for its only business');
SELECT is(identity.acting_organization('PROVIDER'), NULL, 'and for no provider');
SELECT ok(identity.acts_for((SELECT v FROM ids WHERE k = 'org')), 'as STAFF');
SELECT ok(NOT identity.acts_for((SELECT v FROM ids WHERE k = 'org'), 'ADMIN'), 'not as ADMIN');
SELECT throws_like($$SELECT identity.acts_for((SELECT v FROM ids WHERE k = 'org'), 'BOSS')$$, 'IDENTITY_INVALID_INPUT:%',
                   'the minimum role is checked');
RESET ROLE;
SELECT tests.as_user('kc|io-both');     -- OWNER of org2 and STAFF of org
SELECT throws_like($$SELECT identity.acting_organization('BUSINESS')$$, 'IDENTITY_ORG_AMBIGUOUS:%',
                   'a member of two businesses must pick one');
SELECT throws_ok($$SELECT identity.acting_organization('BUSINESS')$$, 'PT400', NULL, 'as a 400');
SELECT is(identity.acting_organization('BUSINESS', false), NULL, 'row-level security helpers get NULL instead');
SELECT ok(identity.acts_for((SELECT v FROM ids WHERE k = 'org')) AND identity.acts_for((SELECT v FROM ids WHERE k = 'org2'), 'OWNER'),
          'an object naming its organization needs no claim');
SELECT set_config('request.jwt.claims', json_build_object('sub', 'kc|io-both', 'role', 'mercato_user',
                                                          'org', (SELECT v FROM ids WHERE k = 'org'))::text, true);
SELECT is(identity.acting_organization('BUSINESS'), (SELECT v FROM ids WHERE k = 'org'), 'the "org" claim picks one (a number)');
SELECT ok(NOT identity.acts_for((SELECT v FROM ids WHERE k = 'org2')), 'and pins the request to it');
SELECT is(identity.member_role((SELECT v FROM ids WHERE k = 'org')), 'STAFF', 'with the role held there');
SELECT set_config('request.jwt.claims', json_build_object('sub', 'kc|io-both', 'role', 'mercato_user',
                                                          'org', (SELECT v FROM ids WHERE k = 'org2')::text)::text, true);
SELECT is(identity.acting_organization('BUSINESS'), (SELECT v FROM ids WHERE k = 'org2'), 'or a string of digits');
SELECT is(identity.acting_organization('PROVIDER'), NULL, 'a claim naming a business acts for no provider');
SELECT set_config('request.jwt.claims', json_build_object('sub', 'kc|io-both', 'role', 'mercato_user',
                                                          'org', (SELECT v FROM ids WHERE k = 'porg'))::text, true);
SELECT throws_like($$SELECT identity.acting_organization('BUSINESS')$$, 'IDENTITY_NOT_A_MEMBER:%',
                   'a claim naming an organization the caller is no member of is refused');
SELECT throws_ok($$SELECT identity.acting_organization('PROVIDER')$$, 'PT403', NULL, 'as a 403');
SELECT is(identity.acting_organization('PROVIDER', false), NULL, 'and gives NULL in row-level security helpers');
SELECT set_config('request.jwt.claims', '{"sub": "kc|io-both", "role": "mercato_user", "org": "12abc"}', true);
SELECT throws_like($$SELECT identity.acting_organization('BUSINESS')$$, 'IDENTITY_ORG_CLAIM_INVALID:%', 'a malformed claim is refused');
SELECT ok(NOT identity.acts_for((SELECT v FROM ids WHERE k = 'org')), 'and acts for nothing');
RESET ROLE;

-- roles: the last OWNER stays, OWNERs manage ADMINs, anyone may leave
SELECT tests.as_user('kc|io-owner');
SELECT throws_like($$SELECT api.set_member_role((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'owner'), 'ADMIN')$$,
                   'IDENTITY_LAST_OWNER:%', 'the last OWNER cannot be demoted');
SELECT throws_ok($$SELECT api.remove_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'owner'))$$,
                 'PT409', NULL, 'nor leave (409)');
SELECT lives_ok($$SELECT api.set_member_role((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'admin'), 'OWNER')$$,
                'an OWNER makes another OWNER');
SELECT lives_ok($$SELECT api.set_member_role((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'owner'), 'ADMIN')$$,
                'and may then step down');
RESET ROLE;
SELECT tests.as_user('kc|io-owner');    -- now ADMIN
SELECT throws_like($$SELECT api.remove_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'admin'))$$,
                   'IDENTITY_ORG_ROLE_REQUIRED:%', 'an ADMIN cannot remove an OWNER');
SELECT lives_ok($$SELECT api.remove_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'staff'))$$,
                'but removes STAFF');
SELECT lives_ok($$SELECT api.remove_member((SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'owner'))$$,
                'and may leave');
RESET ROLE;
SELECT tests.as_user('kc|io-staff');
SELECT is(identity.acting_organization('BUSINESS'), NULL, 'a removed member acts for nothing');
RESET ROLE;
SELECT is((SELECT owner_count FROM identity.organization WHERE id = (SELECT v FROM ids WHERE k = 'org')),
          (SELECT count(*)::int FROM identity.membership WHERE organization_id = (SELECT v FROM ids WHERE k = 'org')
              AND role = 'OWNER' AND status = 'ACTIVE'), 'owner_count is the number of active OWNERs');
SELECT is((SELECT count(*)::int FROM identity.organization o
            WHERE o.owner_count <> (SELECT count(*) FROM identity.membership m
                                     WHERE m.organization_id = o.id AND m.role = 'OWNER' AND m.status = 'ACTIVE')), 0,
          'for every organization');

-- enforced whoever writes: the owner of the tables too
SELECT throws_like($$UPDATE identity.membership SET status = 'REMOVED' WHERE organization_id = (SELECT v FROM ids WHERE k = 'org2')$$,
                   'IDENTITY_LAST_OWNER:%', 'a direct UPDATE cannot remove the last OWNER');
SELECT throws_like($$UPDATE identity.membership SET user_id = user_id WHERE organization_id = (SELECT v FROM ids WHERE k = 'org2')$$,
                   'IDENTITY_ORG_FIXED:%', 'a membership''s user never changes');

-- an organization that is not ACTIVE is acted for by nobody
SELECT tests.as_user('kc|io-both');
SELECT throws_like($$SELECT api.set_organization_status((SELECT v FROM ids WHERE k = 'org2'), 'SUSPENDED')$$,
                   'IDENTITY_PERMISSION_DENIED:%', 'an OWNER does not suspend its organization');
RESET ROLE;
SELECT tests.as_user('kc|io-tadmin');
SELECT api.set_organization_status((SELECT v FROM ids WHERE k = 'org2'), 'SUSPENDED');
RESET ROLE;
SELECT set_config('request.jwt.claims', json_build_object('sub', 'kc|io-both', 'role', 'mercato_user',
                                                          'org', (SELECT v FROM ids WHERE k = 'org2'))::text, true);
SET LOCAL ROLE mercato_user;
SELECT throws_like($$SELECT identity.acting_organization('BUSINESS')$$, 'IDENTITY_ORG_INACTIVE:%',
                   'a suspended organization is acted for by nobody');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
