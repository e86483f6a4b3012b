-- Revert mercato:functions/identity/sessions from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION identity.revoke_all_sessions(), identity.revoke_session(bigint), identity.my_sessions(), identity.sign_out(),
              identity.current_session_id(), identity.refresh(text), identity.sign_in(text, text, text), identity.open_session(bigint),
              identity.issue_tokens(bigint, bigint), identity.http_refusal(text, text, integer), identity.request_device(),
              identity.sign_jwt(jsonb), identity.set_jwt_secret(text), identity.base64url(bytea);
DROP TYPE identity.auth_result;

COMMIT;
