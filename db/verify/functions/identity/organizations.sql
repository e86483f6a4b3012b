-- Verify mercato:functions/identity/organizations on pg

BEGIN;

SELECT 'identity.acting_organization(text, boolean)'::regprocedure, 'identity.member_role(bigint)'::regprocedure,
       'identity.acts_for(bigint, text)'::regprocedure, 'identity.open_organization(text, bigint, text, bigint)'::regprocedure,
       'identity.add_member(bigint, bigint, text, text)'::regprocedure,
       'identity.set_member_role(bigint, bigint, text)'::regprocedure, 'identity.remove_member(bigint, bigint)'::regprocedure,
       'identity.set_organization_status(bigint, text)'::regprocedure, 'identity.my_organizations()'::regprocedure,
       'identity.organization_members(bigint)'::regprocedure;
SELECT 1 / count(*)::int FROM pg_trigger WHERE tgrelid = 'identity.membership'::regclass AND tgname = 'membership_owner_count';
SELECT 1 / count(*)::int FROM pg_trigger WHERE tgrelid = 'identity.organization'::regclass AND tgname = 'organization_owner_check';
SELECT 1 / (NOT has_function_privilege('mercato_user', 'identity.add_member(bigint, bigint, text, text)', 'EXECUTE'))::int;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions, which no API role executes (what a caller needs has an api entry point)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.acting_organization(text, boolean)'::regprocedure,
                    'identity.acts_for(bigint, text)'::regprocedure,
                    'identity.authorize_member_change(identity.organization, text, text)'::regprocedure,
                    'identity.claimed_organization(boolean)'::regprocedure,
                    'identity.lock_organization(bigint)'::regprocedure,
                    'identity.member_role(bigint)'::regprocedure,
                    'identity.membership_owner_count_trg()'::regprocedure,
                    'identity.my_organizations()'::regprocedure,
                    'identity.open_organization(text, bigint, text, bigint)'::regprocedure,
                    'identity.organization_members(bigint)'::regprocedure,
                    'identity.organization_owner_check_trg()'::regprocedure,
                    'identity.remove_member(bigint, bigint)'::regprocedure,
                    'identity.role_rank(text)'::regprocedure,
                    'identity.set_member_role(bigint, bigint, text)'::regprocedure,
                    'identity.set_organization_status(bigint, text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- its triggers, each present and enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = x.tab::regclass AND t.tgname = x.name AND t.tgenabled <> 'D')::int
  FROM (VALUES ('identity.membership', 'membership_owner_count'),
               ('identity.organization', 'organization_owner_check')) AS x(tab, name);

ROLLBACK;
