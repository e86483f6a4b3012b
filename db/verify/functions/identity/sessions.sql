-- Verify mercato:functions/identity/sessions on pg
-- Existence and privileges only: no API role executes these (they reach them through api.*); set_jwt_secret is the
-- owner's.

BEGIN;

SELECT access_token, token_type, expires_at, refresh_token, refresh_expires_at, session_id, error, message, retry_after
  FROM (SELECT (NULL::identity.auth_result).*) r WHERE false;
SELECT 1 / (NOT has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.base64url(bytea)'::regprocedure,
                    'identity.set_jwt_secret(text)'::regprocedure,
                    'identity.sign_jwt(jsonb)'::regprocedure,
                    'identity.request_device()'::regprocedure,
                    'identity.http_refusal(text, text, integer)'::regprocedure,
                    'identity.issue_tokens(bigint, bigint)'::regprocedure,
                    'identity.open_session(bigint)'::regprocedure,
                    'identity.sign_in(text, text, text)'::regprocedure,
                    'identity.refresh(text)'::regprocedure,
                    'identity.current_session_id()'::regprocedure,
                    'identity.sign_out()'::regprocedure,
                    'identity.my_sessions()'::regprocedure,
                    'identity.revoke_session(bigint)'::regprocedure,
                    'identity.revoke_all_sessions()'::regprocedure]) f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;

ROLLBACK;
