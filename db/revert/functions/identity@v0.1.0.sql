-- Revert mercato:functions/identity from pg

BEGIN;

DROP FUNCTION identity.revoke_role(bigint, text, bigint);
DROP FUNCTION identity.assign_role(bigint, text, bigint);
DROP FUNCTION identity.set_user_status(bigint, text);
DROP FUNCTION identity.register_user(text, text, text, bigint, text, text);
DROP FUNCTION identity.create_tenant(text, text, jsonb);
DROP FUNCTION identity.require_permission(text, bigint);
DROP FUNCTION identity.has_permission(bigint, text, bigint);
DROP FUNCTION identity.require_user();
DROP FUNCTION identity.is_service();
DROP FUNCTION identity.caller_role();
DROP FUNCTION identity.current_user_id();
DROP FUNCTION identity.current_actor();
DROP FUNCTION identity.claims();
DROP TYPE identity.actor;

COMMIT;
