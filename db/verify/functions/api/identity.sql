-- Verify mercato:functions/api/identity on pg

BEGIN;

SELECT 'api.me()'::regprocedure, 'api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text)'::regprocedure,
       'api.currencies()'::regprocedure, 'api.lookups(core.name_text)'::regprocedure,
       'api.policy_in_force(core.name_text, core.finite_timestamptz)'::regprocedure, 'api.current_actor()'::regprocedure,
       'api.setting_number(core.name_text)'::regprocedure,
       'api.setting_text(core.name_text)'::regprocedure, 'api.setting_bool(core.name_text)'::regprocedure,
       'api.setting_json(core.name_text)'::regprocedure, 'api.my_organizations()'::regprocedure,
       'api.organization_members(bigint)'::regprocedure,
       'api.add_member(bigint, bigint, core.name_text, core.name_text)'::regprocedure,
       'api.set_member_role(bigint, bigint, core.name_text)'::regprocedure, 'api.remove_member(bigint, bigint)'::regprocedure,
       'api.set_organization_status(bigint, core.name_text)'::regprocedure;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions
SELECT 'api.add_policy_version(core.name_text, core.finite_timestamptz, core.json_doc, core.long_text)'::regprocedure,
       'api.assign_role(bigint, core.name_text, bigint)'::regprocedure,
       'api.create_tenant(core.name_text, core.name_text, core.json_doc)'::regprocedure,
       'api.revoke_role(bigint, core.name_text, bigint)'::regprocedure,
       'api.set_setting(core.name_text, core.long_text)'::regprocedure,
       'api.set_user_status(bigint, core.name_text)'::regprocedure;
-- the routines it grants to API roles
SELECT 1 / pg_catalog.has_function_privilege(x.role, x.f, 'EXECUTE')::int
  FROM (VALUES ('api.add_member(bigint, bigint, core.name_text, core.name_text)', 'mercato_service'),
               ('api.add_member(bigint, bigint, core.name_text, core.name_text)', 'mercato_user'),
               ('api.add_policy_version(core.name_text, core.finite_timestamptz, core.json_doc, core.long_text)', 'mercato_service'),
               ('api.add_policy_version(core.name_text, core.finite_timestamptz, core.json_doc, core.long_text)', 'mercato_user'),
               ('api.assign_role(bigint, core.name_text, bigint)', 'mercato_service'),
               ('api.assign_role(bigint, core.name_text, bigint)', 'mercato_user'),
               ('api.create_tenant(core.name_text, core.name_text, core.json_doc)', 'mercato_service'),
               ('api.create_tenant(core.name_text, core.name_text, core.json_doc)', 'mercato_user'),
               ('api.currencies()', 'mercato_anon'),
               ('api.currencies()', 'mercato_service'),
               ('api.currencies()', 'mercato_user'),
               ('api.current_actor()', 'mercato_anon'),
               ('api.current_actor()', 'mercato_service'),
               ('api.current_actor()', 'mercato_user'),
               ('api.lookups(core.name_text)', 'mercato_anon'),
               ('api.lookups(core.name_text)', 'mercato_service'),
               ('api.lookups(core.name_text)', 'mercato_user'),
               ('api.me()', 'mercato_user'),
               ('api.my_organizations()', 'mercato_user'),
               ('api.organization_members(bigint)', 'mercato_service'),
               ('api.organization_members(bigint)', 'mercato_user'),
               ('api.policy_in_force(core.name_text, core.finite_timestamptz)', 'mercato_service'),
               ('api.policy_in_force(core.name_text, core.finite_timestamptz)', 'mercato_user'),
               ('api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text)', 'mercato_service'),
               ('api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text)', 'mercato_user'),
               ('api.remove_member(bigint, bigint)', 'mercato_service'),
               ('api.remove_member(bigint, bigint)', 'mercato_user'),
               ('api.revoke_role(bigint, core.name_text, bigint)', 'mercato_service'),
               ('api.revoke_role(bigint, core.name_text, bigint)', 'mercato_user'),
               ('api.set_member_role(bigint, bigint, core.name_text)', 'mercato_service'),
               ('api.set_member_role(bigint, bigint, core.name_text)', 'mercato_user'),
               ('api.set_organization_status(bigint, core.name_text)', 'mercato_service'),
               ('api.set_organization_status(bigint, core.name_text)', 'mercato_user'),
               ('api.set_setting(core.name_text, core.long_text)', 'mercato_service'),
               ('api.set_setting(core.name_text, core.long_text)', 'mercato_user'),
               ('api.set_user_status(bigint, core.name_text)', 'mercato_service'),
               ('api.set_user_status(bigint, core.name_text)', 'mercato_user'),
               ('api.setting_bool(core.name_text)', 'mercato_service'),
               ('api.setting_json(core.name_text)', 'mercato_service'),
               ('api.setting_number(core.name_text)', 'mercato_service'),
               ('api.setting_text(core.name_text)', 'mercato_service')) AS x(f, role);

ROLLBACK;
