-- Tests for schemas/identity/organizations: organizations and memberships, the same tenant on both sides, one row per
-- user and organization, fixed kind and tenant, audit, privileges.
BEGIN;
SELECT plan(16);

SELECT has_table('identity', 'organization', 'organizations');
SELECT has_table('identity', 'membership', 'memberships');
SELECT col_is_unique('identity', 'membership', ARRAY['organization_id', 'user_id'], 'one membership per user and organization');
SELECT fk_ok('identity', 'membership', ARRAY['organization_id', 'tenant_key'], 'identity', 'organization', ARRAY['id', 'tenant_key']);
SELECT fk_ok('identity', 'membership', ARRAY['user_id', 'tenant_key'], 'identity', 'user_account', ARRAY['id', 'tenant_key']);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
INSERT INTO ids SELECT 't1', identity.create_tenant('so-t1', 'One');
INSERT INTO ids SELECT 't2', identity.create_tenant('so-t2', 'Two');
INSERT INTO ids SELECT 'u1', identity.register_user('kc|so-1', 'STAFF', 'One', (SELECT v FROM ids WHERE k = 't1'));
INSERT INTO ids SELECT 'u2', identity.register_user('kc|so-2', 'STAFF', 'Two', (SELECT v FROM ids WHERE k = 't2'));
INSERT INTO ids SELECT 'u0', identity.register_user('kc|so-0', 'STAFF', 'Platform');
INSERT INTO ids SELECT 'org', identity.open_organization('BUSINESS', (SELECT v FROM ids WHERE k = 't1'), 'Org', (SELECT v FROM ids WHERE k = 'u1'));

SELECT throws_ok($$INSERT INTO identity.membership (organization_id, user_id, tenant_key, role)
                   SELECT (SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'u2'), (SELECT v FROM ids WHERE k = 't1'), 'STAFF'$$,
                 '23503', NULL, 'a user of another tenant is no member, whoever writes (tenant key of the organization)');
SELECT throws_ok($$INSERT INTO identity.membership (organization_id, user_id, tenant_key, role)
                   SELECT (SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'u2'), (SELECT v FROM ids WHERE k = 't2'), 'STAFF'$$,
                 '23503', NULL, 'nor with the user''s tenant key');
SELECT throws_ok($$INSERT INTO identity.membership (organization_id, user_id, tenant_key, role)
                   SELECT (SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'u0'), 0, 'STAFF'$$,
                 '23503', NULL, 'nor a platform user (no tenant) of a tenant''s organization');
SELECT throws_ok($$INSERT INTO identity.membership (organization_id, user_id, tenant_key, role)
                   SELECT (SELECT v FROM ids WHERE k = 'org'), (SELECT v FROM ids WHERE k = 'u1'), (SELECT v FROM ids WHERE k = 't1'), 'STAFF'$$,
                 '23505', NULL, 'a user is a member of an organization once');
SELECT throws_ok($$UPDATE identity.membership SET role = 'BOSS'$$, '23514', NULL, 'roles are OWNER, ADMIN, STAFF');
SELECT throws_like($$UPDATE identity.organization SET kind = 'PROVIDER' WHERE id = (SELECT v FROM ids WHERE k = 'org')$$,
                   'IDENTITY_ORG_FIXED:%', 'an organization''s kind never changes');
SELECT throws_like($$UPDATE identity.organization SET tenant_id = NULL WHERE id = (SELECT v FROM ids WHERE k = 'org')$$,
                   'IDENTITY_ORG_FIXED:%', 'nor its tenant');
SELECT ok((SELECT count(*) = 2 FROM pg_trigger WHERE tgname IN ('organization_audit', 'membership_audit')),
          'organizations and memberships are audited');

-- an organization without an OWNER does not survive its transaction (checked at commit; here on demand)
INSERT INTO identity.organization (tenant_id, kind, name) VALUES ((SELECT v FROM ids WHERE k = 't1'), 'BUSINESS', 'Ownerless');
SELECT throws_like($$SET CONSTRAINTS identity.organization_owner_check IMMEDIATE$$, 'IDENTITY_LAST_OWNER:%',
                   'an organization is created with an OWNER');

SET LOCAL ROLE mercato_service;
SELECT throws_ok($$UPDATE identity.membership SET role = 'OWNER'$$, '42501', NULL, 'no API role writes memberships');
RESET ROLE;
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM identity.organization), 0, 'mercato_user without claims reads no organization');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
