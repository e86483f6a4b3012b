-- Revert mercato:functions/api/identity from pg

BEGIN;

DROP FUNCTION api.policy_in_force(text, timestamptz), api.add_policy_version(text, timestamptz, jsonb, text),
    api.set_setting(text, text), api.lookups(text), api.currencies(), api.revoke_role(bigint, text, bigint),
    api.assign_role(bigint, text, bigint), api.set_user_status(bigint, text), api.create_tenant(text, text, jsonb),
    api.register_user(text, text, text, bigint, text, text), api.me();

COMMIT;
