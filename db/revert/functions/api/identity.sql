-- Revert mercato:functions/api/identity from pg

BEGIN;

DROP FUNCTION api.set_organization_status(bigint, core.name_text), api.remove_member(bigint, bigint),
    api.set_member_role(bigint, bigint, core.name_text), api.add_member(bigint, bigint, core.name_text, core.name_text),
    api.organization_members(bigint), api.my_organizations();
DROP FUNCTION api.setting_number(core.name_text), api.setting_text(core.name_text), api.setting_bool(core.name_text),
    api.setting_json(core.name_text), api.current_actor(), api.policy_in_force(core.name_text, core.finite_timestamptz), api.add_policy_version(core.name_text, core.finite_timestamptz, core.json_doc, core.long_text),
    api.set_setting(core.name_text, core.long_text), api.lookups(core.name_text), api.currencies(), api.revoke_role(bigint, core.name_text, bigint),
    api.assign_role(bigint, core.name_text, bigint), api.set_user_status(bigint, core.name_text), api.create_tenant(core.name_text, core.name_text, core.json_doc),
    api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text), api.me();

COMMIT;
