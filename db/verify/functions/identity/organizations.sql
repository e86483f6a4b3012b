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

ROLLBACK;
