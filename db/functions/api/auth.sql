-- Deploy mercato:functions/api/auth to pg
-- The HTTP API of sign-up, sign-in and sessions (issue 17). sign_up, sign_in and refresh are open to anonymous
-- callers; sign_in and refresh answer refusals with an error row and an HTTP status (response.status) instead of
-- raising, so that the failure count and a refresh family's revocation are committed (docs/auth.md).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION api.sign_up(p_tenant_code core.name_text, p_login core.name_text, p_password core.name_text,
                                       p_display_name core.name_text, p_user_type core.name_text DEFAULT 'CUSTOMER')
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.sign_up(p_tenant_code, p_login, p_password, p_display_name, p_user_type);
SELECT core.wrap('api.sign_up(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text)',
                 'identity.sign_up(text, text, text, text, text)',
                 'Anyone, into a tenant that accepts sign-ups.', 'mercato_anon', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.sign_in(p_login core.name_text, p_password core.name_text, p_tenant_code core.name_text DEFAULT NULL)
RETURNS identity.auth_result
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.sign_in(p_login, p_password, p_tenant_code);
SELECT core.wrap('api.sign_in(core.name_text, core.name_text, core.name_text)', 'identity.sign_in(text, text, text)',
                 'Anyone.', 'mercato_anon', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.refresh(p_refresh_token core.name_text)
RETURNS identity.auth_result
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.refresh(p_refresh_token);
SELECT core.wrap('api.refresh(core.name_text)', 'identity.refresh(text)',
                 'Anyone holding a refresh token.', 'mercato_anon', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.sign_out()
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.sign_out();
END;
SELECT core.wrap('api.sign_out()', 'identity.sign_out()', 'A signed-in user.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.my_sessions()
RETURNS TABLE (session_id bigint, status text, user_agent text, ip_address text, created_at timestamptz,
               last_refreshed_at timestamptz, expires_at timestamptz, ended_at timestamptz, current boolean)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM identity.my_sessions();
END;
SELECT core.wrap('api.my_sessions()', 'identity.my_sessions()', 'Any user.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.revoke_session(p_session_id bigint)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.revoke_session(p_session_id);
END;
SELECT core.wrap('api.revoke_session(bigint)', 'identity.revoke_session(bigint)', 'Any user, its own sessions.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.revoke_all_sessions()
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.revoke_all_sessions();
SELECT core.wrap('api.revoke_all_sessions()', 'identity.revoke_all_sessions()', 'Any user.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.change_password(p_current_password core.name_text, p_new_password core.name_text)
RETURNS void
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT identity.change_password(p_current_password, p_new_password);
END;
SELECT core.wrap('api.change_password(core.name_text, core.name_text)', 'identity.change_password(text, text)',
                 'A user with a password.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.add_login(p_login core.name_text)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN identity.add_login(p_login);
SELECT core.wrap('api.add_login(core.name_text)', 'identity.add_login(text)', 'Any user.', 'mercato_user');

COMMIT;
