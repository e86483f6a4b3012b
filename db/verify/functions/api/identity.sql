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

ROLLBACK;
